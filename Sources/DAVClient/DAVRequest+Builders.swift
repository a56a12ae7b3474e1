import DAVCore

extension DAVRequest {
    static let xmlContentType = "application/xml; charset=utf-8"

    /// PROPFIND (RFC 4918 §9.1): `allprop` when `properties` is nil, else a `prop` list.
    public static func propfind(_ url: String, depth: Depth = .one, properties: [QualifiedName]? = nil) -> DAVRequest {
        var headers = HTTPFields()
        headers.add("Depth", depth.description)
        headers.add("Content-Type", xmlContentType)
        let inner: String
        if let properties {
            inner = "<D:prop>" + elements(properties) + "</D:prop>"
        } else {
            inner = "<D:allprop/>"
        }
        let body =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:propfind xmlns:D=\"DAV:\"\(namespaceDeclarations(properties ?? []))>\(inner)</D:propfind>\n"
        return DAVRequest(method: "PROPFIND", url: url, headers: headers, body: Array(body.utf8))
    }

    /// PROPFIND with `propname` (RFC 4918 §9.1): the names of every property, without values.
    public static func propname(_ url: String, depth: Depth = .one) -> DAVRequest {
        var headers = HTTPFields()
        headers.add("Depth", depth.description)
        headers.add("Content-Type", xmlContentType)
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:propfind xmlns:D=\"DAV:\"><D:propname/></D:propfind>\n"
        return DAVRequest(method: "PROPFIND", url: url, headers: headers, body: Array(body.utf8))
    }

    /// PROPFIND Depth 0 for `{DAV:}lockdiscovery` and `{DAV:}supportedlock`: who holds which lock.
    public static func lockDiscovery(_ url: String) -> DAVRequest {
        propfind(url, depth: .zero, properties: [DAV.lockdiscovery, DAV.supportedlock])
    }

    public static func options(_ url: String) -> DAVRequest { DAVRequest(method: "OPTIONS", url: url) }
    public static func head(_ url: String) -> DAVRequest { DAVRequest(method: "HEAD", url: url) }
    public static func get(_ url: String) -> DAVRequest { DAVRequest(method: "GET", url: url) }
    public static func mkcol(_ url: String) -> DAVRequest { DAVRequest(method: "MKCOL", url: url) }
    public static func delete(_ url: String) -> DAVRequest { DAVRequest(method: "DELETE", url: url) }

    public static func put(_ url: String, body: [UInt8], contentType: String? = nil) -> DAVRequest {
        var headers = HTTPFields()
        if let contentType { headers.add("Content-Type", contentType) }
        return DAVRequest(method: "PUT", url: url, headers: headers, body: body)
    }

    /// COPY (RFC 4918 §9.8). `destination` should be absolute (§10.3); `overwrite` nil leaves the header out
    /// (the server then assumes `T`); `depth` nil leaves it out (infinity for collections).
    public static func copy(_ url: String, destination: String, overwrite: Bool? = nil, depth: Depth? = nil) -> DAVRequest {
        copyOrMove("COPY", url, destination: destination, overwrite: overwrite, depth: depth)
    }

    /// MOVE (RFC 4918 §9.9); a MOVE of a collection always acts as Depth infinity.
    public static func move(_ url: String, destination: String, overwrite: Bool? = nil) -> DAVRequest {
        copyOrMove("MOVE", url, destination: destination, overwrite: overwrite, depth: nil)
    }

    private static func copyOrMove(_ method: String, _ url: String, destination: String, overwrite: Bool?, depth: Depth?) -> DAVRequest {
        var headers = HTTPFields()
        headers.add("Destination", destination)
        if let overwrite { headers.add("Overwrite", overwrite ? "T" : "F") }
        if let depth { headers.add("Depth", depth.description) }
        return DAVRequest(method: method, url: url, headers: headers)
    }

    /// LOCK (RFC 4918 §9.10) asking for a new write lock. `timeout` is sent as `Second-N`, nil as `Infinite`.
    public static func lock(_ url: String, exclusive: Bool = true, depth: Depth = .zero, owner: String? = nil, timeout: Int? = nil) -> DAVRequest {
        var headers = HTTPFields()
        headers.add("Depth", depth.description)
        headers.add("Timeout", timeout.map { "Second-\($0)" } ?? "Infinite")
        headers.add("Content-Type", xmlContentType)
        let scope = exclusive ? "<D:exclusive/>" : "<D:shared/>"
        let ownerXML = owner.map { "<D:owner>\(XMLText.escapeText($0))</D:owner>" } ?? ""
        let body =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope>\(scope)</D:lockscope><D:locktype><D:write/></D:locktype>\(ownerXML)</D:lockinfo>\n"
        return DAVRequest(method: "LOCK", url: url, headers: headers, body: Array(body.utf8))
    }

    /// UNLOCK (RFC 4918 §9.11) of the lock whose token is given (`opaquelocktoken:…` or `urn:uuid:…`,
    /// with or without the angle brackets).
    public static func unlock(_ url: String, lockToken: String) -> DAVRequest {
        var token = lockToken.trimmingASCIIWhitespace()
        if !token.hasPrefix("<") { token = "<" + token + ">" }
        var headers = HTTPFields()
        headers.add("Lock-Token", token)
        return DAVRequest(method: "UNLOCK", url: url, headers: headers)
    }

    // MARK: - XML for property names

    /// ` xmlns:ns0="…"` for each non-DAV namespace, in first-seen order.
    private static func namespaceDeclarations(_ names: [QualifiedName]) -> String {
        prefixes(names).map { " xmlns:\($0.prefix)=\"\(XMLText.escapeAttribute($0.namespace))\"" }.joined()
    }

    private static func prefixes(_ names: [QualifiedName]) -> [(namespace: String, prefix: String)] {
        var seen: [(namespace: String, prefix: String)] = []
        for name in names where !name.isDAV && !name.namespace.isEmpty && !seen.contains(where: { $0.namespace == name.namespace }) {
            seen.append((name.namespace, "ns\(seen.count)"))
        }
        return seen
    }

    private static func elements(_ names: [QualifiedName]) -> String {
        let table = prefixes(names)
        return names.map { name in
            if name.isDAV { return "<D:\(name.name)/>" }
            if name.namespace.isEmpty { return "<\(name.name) xmlns=\"\"/>" }
            let prefix = table.first { $0.namespace == name.namespace }!.prefix
            return "<\(prefix):\(name.name)/>"
        }.joined()
    }
}
