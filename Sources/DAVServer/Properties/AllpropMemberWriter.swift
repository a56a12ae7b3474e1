import DAVCore

/// Writes the `<D:response>` of a listed member for `allprop` straight as bytes, for the common member:
/// no dead properties and no locks. A Depth 1 answer over 1,000 files is 1,000 of these; building each as
/// a ``DAVCore/Response`` of eight ``Property`` values and then serialising it cost about as much as
/// everything else the server does for the listing. Everything else goes the general way
/// (``DAVResponder/propfindResponse(_:_:quota:dead:)``), and a test holds the two byte for byte equal.
enum AllpropMemberWriter {
    /// Appends the response of `info`, or returns false (writing nothing) when it needs the general path.
    static func write(_ info: ResourceInfo, dead: [XMLElement], hasLocks: () throws -> Bool, into out: inout MultiStatusWriter) rethrows
        -> Bool
    {
        guard dead.isEmpty, try !hasLocks() else { return false }
        out.appendSerialisedResponse { buffer in
            buffer.append(contentsOf: responseOpen)
            escape(info.path.href(isCollection: info.isCollection), into: &buffer)
            buffer.append(contentsOf: hrefToProps)
            element(creationdate, HTTPDate.rfc3339(info.created), into: &buffer)
            if !info.isCollection {
                element(getcontentlength, String(info.size), into: &buffer)
                element(getcontenttype, MediaTypes.type(for: info.path.name), into: &buffer)
            }
            element(getetag, info.etag, into: &buffer)
            element(getlastmodified, HTTPDate.rfc1123(info.modified), into: &buffer)
            buffer.append(contentsOf: info.isCollection ? collectionTail : fileTail)
        }
        return true
    }

    private static func element(_ name: (open: [UInt8], close: [UInt8]), _ text: String, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: name.open)
        escape(text, into: &buffer)
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
