import DAVCore

/// Writes the `<D:response>` of a listed member (or of the one resource a Depth 0 PROPFIND asks for) for
/// `allprop` straight as bytes, for the common resource: no locks. A Depth 1 answer over 1,000 files is
/// 1,000 of these; building each as a ``DAVCore/Response`` of eight ``Property`` values and then
/// serialising it cost about as much as everything else the server does for the listing. Members with locks go the general way
/// (``DAVResponder/propfindResponse(_:_:figures:dead:locks:user:)``), and a test holds the two byte for byte equal.
///
/// Nothing is built on the way: the href is the parent's (escaped once per collection) followed by the
/// member's encoded name, and dates, digits and the entity tag go onto the buffer as they are computed.
/// Dead properties (Windows clients set several on every file they write) follow the live ones, written by
/// the document's own writer, which names their namespaces as the general path would at that point.
enum AllpropMemberWriter {
    /// Appends the response of `info`, a member of the collection whose href, escaped for XML, is
    /// `parentHref`, with its dead properties `dead` (those named like live ones already left out:
    /// ``deadProperties(_:)``); or returns false (writing nothing) when it needs the general path.
    /// `keepTail`, when given, receives what follows `parentHref` without the dead properties
    /// (``MemberResponse/tail``): they are not part of what is kept.
    static func write(
        _ info: ResourceInfo, parentHref: [UInt8], dead: [Property], hasLocks: () throws -> Bool, into out: inout MultiStatusWriter,
        keepTail: (([UInt8]) -> Void)? = nil
    ) rethrows -> Bool {
        guard try !hasLocks() else { return false }
        out.appendSerialisedResponse { buffer in
            buffer.append(contentsOf: responseOpen)
            buffer.append(contentsOf: parentHref)
            let tailStart = buffer.count
            ResourcePath.encode(info.path.name, into: &buffer)
            if info.isCollection { buffer.append(UInt8(ascii: "/")) }
            body(info, into: &buffer)
            if dead.isEmpty {
                buffer.append(contentsOf: closing)
                keepTail?(Array(buffer[tailStart...]))
            } else {
                keepTail?(Array(buffer[tailStart...]) + closing)
            }
        }
        if !dead.isEmpty { close(with: dead, into: &out) }
        return true
    }

    /// Appends a kept response: the same bytes ``write(_:parentHref:dead:hasLocks:into:keepTail:)`` wrote
    /// for the member, under the href of the collection it is listed in now, with its dead properties now.
    static func write(kept response: MemberResponse, parentHref: [UInt8], dead: [Property] = [], into out: inout MultiStatusWriter) {
        out.appendSerialisedResponse { buffer in
            buffer.append(contentsOf: responseOpen)
            buffer.append(contentsOf: parentHref)
            if dead.isEmpty {
                buffer.append(contentsOf: response.tail)
            } else {
                buffer.append(contentsOf: response.tail[..<(response.tail.count - closing.count)])
            }
        }
        if !dead.isEmpty { close(with: dead, into: &out) }
    }

    /// A collection's href (`/a%20b/`) escaped for XML, as `parentHref` takes it.
    static func escaped(href: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var href = href
        href.withUTF8 { XMLText.appendEscapedText($0, to: &bytes) }
        return bytes
    }

    /// The dead properties an `allprop` response shows: those not named like a live property, which the
    /// live value stands for (as in the general path).
    static func deadProperties(_ elements: [XMLElement]) -> [Property] {
        elements.compactMap { LiveProperties.protected.contains($0.name) ? nil : Property($0) }
    }

    /// The dead properties after the live ones, then the end of the response.
    private static func close(with dead: [Property], into out: inout MultiStatusWriter) {
        out.writeProperties(dead)
        out.appendSerialisedResponse { $0.append(contentsOf: closing) }
    }

    /// Everything after the href.
    private static func body(_ info: ResourceInfo, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: hrefToProps)
        // Dates, digits and the content types of the table have nothing to escape; entity tags may.
        buffer.append(contentsOf: creationdate.open)
        HTTPDate.appendRFC3339(info.created, to: &buffer)
        buffer.append(contentsOf: creationdate.close)
        if !info.isCollection {
            buffer.append(contentsOf: getcontentlength.open)
            appendDecimal(info.size, to: &buffer)
            buffer.append(contentsOf: getcontentlength.close)
            buffer.append(contentsOf: getcontenttype.open)
            buffer.append(contentsOf: MediaTypes.type(for: info.path.name).utf8)
            buffer.append(contentsOf: getcontenttype.close)
        }
        buffer.append(contentsOf: getetag.open)
        escape(info.etag, into: &buffer)
        buffer.append(contentsOf: getetag.close)
        buffer.append(contentsOf: getlastmodified.open)
        HTTPDate.appendRFC1123(info.modified, to: &buffer)
        buffer.append(contentsOf: getlastmodified.close)
        buffer.append(contentsOf: info.isCollection ? collectionTail : fileTail)
    }

    /// `value` in decimal, as `String(value)` writes it.
    static func appendDecimal(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var at = 20
            repeat {
                at -= 1
                digits[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[at...]))
        }
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

    /// What follows `getlastmodified`: no locks, the resource type, the supported locks.
    private static func tail(resourcetype: String) -> [UInt8] {
        let supportedlock = MultiStatusWriter.constantBytes(LiveProperties.supportedLock) ?? []
        return Array("<D:lockdiscovery/>\(resourcetype)".utf8) + supportedlock
    }

    /// What follows the last property: the status and the end of the response.
    private static let closing = Array("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>\n".utf8)

    private static let collectionTail = tail(resourcetype: "<D:resourcetype><D:collection/></D:resourcetype>")
    private static let fileTail = tail(resourcetype: "<D:resourcetype/>")
}
