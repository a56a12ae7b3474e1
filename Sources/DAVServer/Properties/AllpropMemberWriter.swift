import DAVCore

/// Writes the `<D:response>` of a listed member for `allprop` straight as bytes, for the common member:
/// no dead properties and no locks. A Depth 1 answer over 1,000 files is 1,000 of these; building each as
/// a ``DAVCore/Response`` of eight ``Property`` values and then serialising it cost about as much as
/// everything else the server does for the listing. Everything else goes the general way
/// (``DAVResponder/propfindResponse(_:_:figures:dead:locks:user:)``), and a test holds the two byte for byte equal.
enum AllpropMemberWriter {
    /// Appends the response of `info`, or returns false (writing nothing) when it needs the general path.
    static func write(
        _ info: ResourceInfo, href: String, dead: [XMLElement], hasLocks: () throws -> Bool, into out: inout MultiStatusWriter
    ) rethrows -> Bool {
        guard dead.isEmpty, try !hasLocks() else { return false }
        out.appendSerialisedResponse { buffer in
            buffer.append(contentsOf: responseOpen)
            escape(href, into: &buffer)
            buffer.append(contentsOf: hrefToProps)
            // Dates, digits and the content types of the table have nothing to escape; hrefs and entity tags may.
            element(creationdate, HTTPDate.rfc3339(info.created), escaping: false, into: &buffer)
            if !info.isCollection {
                element(getcontentlength, String(info.size), escaping: false, into: &buffer)
                element(getcontenttype, MediaTypes.type(for: info.path.name), escaping: false, into: &buffer)
            }
            element(getetag, info.etag, escaping: true, into: &buffer)
            element(getlastmodified, HTTPDate.rfc1123(info.modified), escaping: false, into: &buffer)
            buffer.append(contentsOf: info.isCollection ? collectionTail : fileTail)
        }
        return true
    }

    private static func element(_ name: (open: [UInt8], close: [UInt8]), _ text: String, escaping: Bool, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: name.open)
        if escaping { escape(text, into: &buffer) } else { buffer.append(contentsOf: text.utf8) }
        buffer.append(contentsOf: name.close)
    }

    private static func escape(_ text: String, into buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { XMLText.appendEscapedText($0, to: &buffer) }
    }

    private static func tags(_ name: String) -> (open: [UInt8], close: [UInt8]) {
        (Array("<D:\(name)>".utf8), Array("</D:\(name)>".utf8))
    }

    private static let responseOpen = Array("<D:response><D:href>".utf8)
    private static let hrefToProps = Array("</D:href><D:propstat><D:prop>".utf8)
    private static let creationdate = tags("creationdate")
    private static let getcontentlength = tags("getcontentlength")
    private static let getcontenttype = tags("getcontenttype")
    private static let getetag = tags("getetag")
    private static let getlastmodified = tags("getlastmodified")

    /// What follows `getlastmodified`: no locks, the resource type, the supported locks, the status.
    private static func tail(resourcetype: String) -> [UInt8] {
        let supportedlock = MultiStatusWriter.constantBytes(LiveProperties.supportedLock) ?? []
        return Array("<D:lockdiscovery/>\(resourcetype)".utf8) + supportedlock
            + Array("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>\n".utf8)
    }

    private static let collectionTail = tail(resourcetype: "<D:resourcetype><D:collection/></D:resourcetype>")
    private static let fileTail = tail(resourcetype: "<D:resourcetype/>")
}
