import DAVCore

/// RFC 6764 discovery: `/.well-known/caldav` and `/.well-known/carddav` answer with a redirect to where the
/// calendar or address-book service lives. The redirect is the service working; a redirect that names
/// another origin than the one the client used is a proxy passing on the backend's own address.
enum DiscoveryRule {
    /// The well-known paths and the service each leads to.
    static let services = ["/.well-known/caldav": "calendar", "/.well-known/carddav": "address-book"]

    static func service(_ input: RuleInput) -> String? {
        services[URLPath.withoutTrailingSlash(input.context.requestPath).lowercased()]
    }

    /// The finding for a well-known redirect: none when it leads somewhere on the same origin.
    static func redirect(_ input: RuleInput, location: String) -> [Finding]? {
        guard service(input) != nil, !location.isEmpty else { return nil }
        guard input.context.urlKnown, leavesOrigin(location, asked: input.context.requestHref) else { return [] }
        return [otherOrigin(input.context.requestPath, location: location, asked: input.context.requestHref.raw, status: input.head?.status)]
    }

    /// Whether a Location names another origin (scheme, host or port) than the URL the client asked; a
    /// path-only Location stays where it was asked.
    static func leavesOrigin(_ location: String, asked: Href) -> Bool {
        let target = Href(location)
        guard let authority = target.normalizedAuthority else { return false }
        return authority != asked.normalizedAuthority || target.scheme?.lowercased() != asked.scheme?.lowercased()
    }

    /// A discovery redirect to another origin: the backend's own address passed on by a proxy.
    static func otherOrigin(_ path: String, location: String, asked: String, status: Int?) -> Finding {
        let target = Href(location)
        let origin = "\(target.scheme ?? "http")://\(target.normalizedAuthority ?? "")"
        let service = services[URLPath.withoutTrailingSlash(path).lowercased()] ?? "calendar"
        return Finding(
            cause: .proxy, likelihood: .high, signs: [Sign("well-known-redirect-other-origin", subject: path, value: location)],
            title: "the \(service) discovery redirect leads to \(origin), not to the address the client used",
            resources: [path],
            evidence: [
                "Location: \(location) (asked for \(asked))",
                "RFC 6764 §5: clients follow this redirect and keep talking to where it leads: an address only the proxy can reach, or plain http behind TLS",
                "a server behind a proxy builds absolute redirects from the Host and scheme it receives",
            ],
            fixes: [
                Fix(
                    "Pass the client's Host and scheme to the backend (nginx: proxy_set_header Host $host; proxy_set_header X-Forwarded-Proto $scheme; Apache: ProxyPreserveHost On, RequestHeader set X-Forwarded-Proto https)",
                    .easy),
                Fix(
                    "Or rewrite the Location on the way back (nginx proxy_redirect; Apache ProxyPassReverse), or answer the well-known path at the proxy itself with a redirect to the public URL",
                    .easy),
            ],
            status: status)
    }

    static func notes(_ input: RuleInput) -> [String] {
        guard let service = service(input), let head = input.head, (300..<400).contains(head.status), let location = head.headers["Location"] else {
            return []
        }
        return [
            "RFC 6764 discovery: \(input.context.requestPath) leads to \(location), where the client asks for DAV:current-user-principal and then the \(service) home set"
        ]
    }
}
