/// The Destination request header (RFC 4918 §10.3) of COPY and MOVE: an absolute URI or an absolute path.
///
/// This type splits it into authority and path without decoding the path; the server decides whether the
/// authority is its own (otherwise 502, §9.8.5) and decodes the path with its usual safety rules.
public struct Destination: Sendable, Hashable {
    /// `http` or `https` when the header was an absolute URI.
    public var scheme: String?
    /// `host[:port]` as written, lower-cased; nil for an absolute path.
    public var authority: String?
    /// The percent-encoded path, starting with `/`, query and fragment removed.
    public var path: String

    /// Parses the header; `nil` when it is neither an http(s) URI nor an absolute path (400).
    public init?(headerValue: String) {
        let value = headerValue.trimmingASCIIWhitespace()
        guard !value.isEmpty, !value.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return nil }
        var rest = Substring(value)
        if rest.hasPrefix("/") {
            scheme = nil
            authority = nil
        } else {
            guard let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") else { return nil }
            let scheme = rest[..<colon].lowercased()
            guard scheme == "http" || scheme == "https" else { return nil }
            self.scheme = scheme
            rest = rest[rest.index(colon, offsetBy: 3)...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            guard !authority.isEmpty else { return nil }
            // Drop user information: it names no part of the resource.
            let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority
            self.authority = host.lowercased()
            rest = rest[authorityEnd...]
            if rest.isEmpty || rest.first != "/" {
                guard rest.isEmpty || rest.first == "?" || rest.first == "#" else { return nil }
                rest = "/" + rest
            }
        }
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        path = String(rest)
        if path.isEmpty { path = "/" }
    }

    /// Whether the authority names the same server as `host` (the request's Host header), ignoring a
    /// default port written out.
    public func isSameAuthority(asHost host: String?) -> Bool {
        guard let authority else { return true }
        guard let host = host?.lowercased() else { return false }
        func normalised(_ value: String) -> String {
            if scheme == "http", value.hasSuffix(":80") { return String(value.dropLast(3)) }
            if scheme == "https", value.hasSuffix(":443") { return String(value.dropLast(4)) }
            return value
        }
        return normalised(authority) == normalised(host)
    }
}
