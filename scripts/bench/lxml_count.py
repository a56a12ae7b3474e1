#!/usr/bin/env python3
"""Count {DAV:}response elements in a multistatus body with lxml iterparse.

    lxml_count.py FILE

Streams the document, clearing each response (and dropping already-processed
siblings) as it goes so memory stays constant. Prints the count.
"""

import sys

from lxml import etree

RESPONSE = "{DAV:}response"


def main():
    if len(sys.argv) != 2:
        print("usage: lxml_count.py FILE", file=sys.stderr)
        sys.exit(2)
    count = 0
    for _, elem in etree.iterparse(sys.argv[1], events=("end",), tag=RESPONSE,
                                   huge_tree=True):
        count += 1
        elem.clear(keep_tail=True)
        # Drop references held by the parent to earlier, already-cleared siblings.
        parent = elem.getparent()
        while elem.getprevious() is not None:
            del parent[0]
    print(count)


if __name__ == "__main__":
    main()
