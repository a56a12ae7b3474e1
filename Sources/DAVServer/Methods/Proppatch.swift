import DAVCore
import HTTPTypes
import Hummingbird

extension DAVResponder {
    /// PROPPATCH (RFC 4918 §9.2): every instruction succeeds or none does. A live property cannot be
    /// changed (403 `DAV:cannot-modify-protected-property`); when anything fails, the rest is 424.
    func handleProppatch(_ exchange: ServerExchange) async throws -> Response {
        let path = exchange.path
        try authorize(exchange, .write, path)
        guard let body = try await exchange.xmlBody(), body.name == DAV.propertyupdate else {
            throw DAVError.badRequest("the body must be a DAV:propertyupdate")
        }
        var changes: [PropertyChange] = []
        for instruction in body.elements {
            guard instruction.name == DAV.set || instruction.name == DAV.remove else { continue }
            for prop in instruction.children(named: DAV.prop) {
                for element in prop.elements {
                    changes.append(instruction.name == DAV.set ? .set(element) : .remove(element.name))
                }
            }
        }
        guard !changes.isEmpty else { throw DAVError.badRequest("DAV:propertyupdate holds no set or remove") }
        return try await gate.serialize([exchange.path]) { try await BlockingPool.run { [changes] in try apply(changes, exchange) } }
    }

    /// The checks and the change, inside the gate: a concurrent DELETE cannot leave a property behind.
    private func apply(_ changes: [PropertyChange], _ exchange: ServerExchange) throws -> Response {
        let path = exchange.path
        guard let info = try options.storage.info(at: path) else { throw DAVError.notFound() }
        try checkIfHeader(exchange)
        try checkLocks(exchange, path, descendants: false)

        func name(of change: PropertyChange) -> QualifiedName {
            switch change {
            case .set(let element): element.name
            case .remove(let name): name
            }
        }
        let protected = changes.filter { LiveProperties.protected.contains(name(of: $0)) }
        let href = exchange.href(path, isCollection: info.isCollection)
        var propstats: [PropStat] = []
        if protected.isEmpty {
            let entry = ChangeEntry(path, .changed, isCollection: info.isCollection)
            try options.changes.recording([entry]) { try options.properties.apply(changes, at: path) }
            propstats.append(PropStat(properties: uniqueNames(changes.map(name(of:))), status: StatusLine(code: 200)))
        } else {
            let failedNames = uniqueNames(protected.map(name(of:)))
            let error = XMLElement(DAV.error, children: [.element(XMLElement(DAV.cannotModifyProtectedProperty))])
            propstats.append(PropStat(properties: failedNames, status: StatusLine(code: 403), error: error))
            let others = uniqueNames(changes.map(name(of:)).filter { !LiveProperties.protected.contains($0) })
            if !others.isEmpty { propstats.append(PropStat(properties: others, status: StatusLine(code: 424))) }
        }
        return try Responses.multiStatus([DAVCore.Response(hrefs: [href], propstats: propstats)], exchange: exchange)
    }

    private func uniqueNames(_ names: [QualifiedName]) -> [Property] {
        var seen = Set<QualifiedName>()
        return names.filter { seen.insert($0).inserted }.map { Property(XMLElement($0)) }
    }
}
