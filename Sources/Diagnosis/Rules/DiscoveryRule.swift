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
        guard let service = service(input), !location.isEmpty else { return nil }
        let target = Href(location)
        let asked = input.context.requestHref
        guard let authority = target.normalizedAuthority, input.context.urlKnown, let askedAuthority = asked.normalizedAuthority,
            authority != askedAuthority || (target.scheme ?? "") != (asked.scheme ?? "")
        else { return [] }
        return [Finding(
            cause: .proxy, likelihood: .high, signs: [Sign("well-known-redirect-other-origin", subject: input.context.requestPath, value: location)],
            title: "the \(service) discovery redirect leads to \(target.scheme ?? "http")://\(authority), not to the address the client used",
            resources: [input.context.requestPath],
            evidence: ["Location: \(location) (asked for \(asked.raw))",
                       "RFC 6764 §5: clients follow this redirect and keep talking to where it leads: an address only the proxy can reach, or plain http behind TLS",
                       "a server behind a proxy builds absolute redirects from the Host and scheme it receives"],
            fixes: [Fix("Pass the client's Host and scheme to the backend (nginx: proxy_set_header Host $host; proxy_set_header X-Forwarded-Proto $scheme; Apache: ProxyPreserveHost On, RequestHeader set X-Forwarded-Proto https)", .easy),
                    Fix("Or rewrite the Location on the way back (nginx proxy_redirect; Apache ProxyPassReverse), or answer the well-known path at the proxy itself with a redirect to the public URL", .easy)],
            status: input.head?.status)]
    }

    static func notes(_ input: RuleInput) -> [String] {
        guard let service = service(input), let head = input.head, (300..<400).contains(head.status), let location = head.headers["Location"] else { return [] }
        return ["RFC 6764 discovery: \(input.context.requestPath) leads to \(location), where the client asks for DAV:current-user-principal and then the \(service) home set"]
    }
}
