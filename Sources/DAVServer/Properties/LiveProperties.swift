import DAVCore

/// The live properties (RFC 4918 §15, RFC 4331): each name and how to compute it from a resource.
/// Clients may not set or remove any of them (`DAV:cannot-modify-protected-property`).
enum LiveProperties {
    /// Returned by allprop (§9.1: lockdiscovery and supportedlock included; quotas are not, RFC 4331 §3).
    static let allprop: [QualifiedName] = [
        DAV.creationdate, DAV.getcontentlength, DAV.getcontenttype, DAV.getetag, DAV.getlastmodified,
        DAV.lockdiscovery, DAV.resourcetype, DAV.supportedlock,
    ]
    static let all: Set<QualifiedName> = Set(allprop + [DAV.quotaAvailableBytes, DAV.quotaUsedBytes, DAV.displayname])
    /// Live properties this server computes; `displayname` is left to clients as a dead property.
    static let protected: Set<QualifiedName> =
        Set(allprop + [DAV.quotaAvailableBytes, DAV.quotaUsedBytes]).union(ContextualProperties.names)

    /// Names that exist on this resource (collections have no content length or type).
    static func names(for info: ResourceInfo) -> [QualifiedName] {
        info.isCollection ? collectionAllprop : allprop
    }

    private static let collectionAllprop = allprop.filter { $0 != DAV.getcontentlength && $0 != DAV.getcontenttype }

    /// The value of `name`, or nil when the resource has no such property. Built as a ``Property`` (not an
    /// element tree): a Depth 1 answer makes eight of these per member, and the writer takes them as they are.
    static func value(
        _ name: QualifiedName, info: ResourceInfo, locks: @autoclosure () throws -> [ActiveLock], quota: () -> (used: Int64?, available: Int64?),
        now: Double
    ) rethrows -> Property? {
        switch name {
        case DAV.creationdate: return Property(name, text: HTTPDate.rfc3339(info.created))
        case DAV.getlastmodified: return Property(name, text: HTTPDate.rfc1123(info.modified))
        case DAV.getetag: return Property(name, text: info.etag)
        case DAV.getcontentlength: return info.isCollection ? nil : Property(name, text: String(info.size))
        case DAV.getcontenttype: return info.isCollection ? nil : Property(name, text: MediaTypes.type(for: info.path.name))
        case DAV.resourcetype: return info.isCollection ? collectionType : fileType
        case DAV.supportedlock: return supportedLockProperty
        case DAV.lockdiscovery:
            let active = try locks()
            return active.isEmpty ? noLocks : Property(lockDiscovery(active, now: now))
        case DAV.quotaAvailableBytes: return quota().available.map { Property(name, text: String($0)) }
        case DAV.quotaUsedBytes:
            if !info.isCollection { return Property(name, text: String(info.size)) }
            return quota().used.map { Property(name, text: String($0)) }
        default: return nil
        }
    }

    private static let collectionType = Property.constant(XMLElement(DAV.resourcetype, children: [.element(XMLElement(DAV.collection))]))
    private static let fileType = Property(DAV.resourcetype)
    private static let noLocks = Property(DAV.lockdiscovery)
    private static let supportedLockProperty = Property.constant(supportedLock)

    static func text(_ name: QualifiedName, _ value: String) -> XMLElement {
        XMLElement(name, children: [.text(value)])
    }

    static let supportedLock: XMLElement = {
        func entry(_ scope: QualifiedName) -> XMLNode {
            .element(
                XMLElement(
                    DAV.lockentry,
                    children: [
                        .element(XMLElement(DAV.lockscope, children: [.element(XMLElement(scope))])),
                        .element(XMLElement(DAV.locktype, children: [.element(XMLElement(DAV.write))])),
                    ]))
        }
        return XMLElement(DAV.supportedlock, children: [entry(DAV.exclusive), entry(DAV.shared)])
    }()

    static func lockDiscovery(_ locks: [ActiveLock], now: Double) -> XMLElement {
        XMLElement(DAV.lockdiscovery, children: locks.map { .element(activeLock($0, now: now)) })
    }

    static func activeLock(_ lock: ActiveLock, now: Double) -> XMLElement {
        var children: [XMLNode] = [
            .element(XMLElement(DAV.locktype, children: [.element(XMLElement(DAV.write))])),
            .element(XMLElement(DAV.lockscope, children: [.element(XMLElement(lock.isExclusive ? DAV.exclusive : DAV.shared))])),
            .element(text(DAV.depth, lock.isDeep ? "infinity" : "0")),
        ]
        if let owner = lock.owner { children.append(.element(owner)) }
        children.append(.element(text(DAV.timeout, lock.remaining(now: now).description)))
        children.append(.element(XMLElement(DAV.locktoken, children: [.element(text(DAV.href, lock.token))])))
        children.append(
            .element(XMLElement(DAV.lockroot, children: [.element(text(DAV.href, lock.root.href(isCollection: lock.rootIsCollection)))])))
        return XMLElement(DAV.activelock, children: children)
    }
}

/// Content types by file extension, for `getcontenttype` and GET.
enum MediaTypes {
    static let table: [String: String] = [
        "txt": "text/plain; charset=utf-8", "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8",
        "css": "text/css", "js": "text/javascript", "json": "application/json", "xml": "application/xml",
        "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "svg": "image/svg+xml", "webp": "image/webp", "zip": "application/zip", "gz": "application/gzip",
        "mp3": "audio/mpeg", "mp4": "video/mp4", "md": "text/markdown; charset=utf-8", "csv": "text/csv; charset=utf-8",
        "ics": "text/calendar", "vcf": "text/vcard", "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]

    static let fallback = "application/octet-stream"

    static func type(for name: String) -> String {
        var name = name
        return name.withUTF8 { bytes in
            guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")), dot != 0, let key = packed(bytes[(dot + 1)...]) else { return fallback }
            return byPackedExtension[key] ?? fallback
        }
    }

    /// The table keyed by each extension packed into a word: a listing looks up a type per file, and this
    /// way builds no string for it.
    private static let byPackedExtension: [UInt64: String] = Dictionary(
        uniqueKeysWithValues: table.map { (packed(Array($0.key.utf8))!, $0.value) })

    /// An extension's bytes in one word, ASCII upper case lowered; nil for one longer than eight bytes or not
    /// ASCII, which the table holds none of (nor anything a non-ASCII letter lowers to).
    private static func packed(_ bytes: some Collection<UInt8>) -> UInt64? {
        guard bytes.count <= 8 else { return nil }
        var word: UInt64 = 0
        for byte in bytes {
            guard byte < 0x80 else { return nil }
            let lowered = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            word = word << 8 | UInt64(lowered)
        }
        return word
    }
}
