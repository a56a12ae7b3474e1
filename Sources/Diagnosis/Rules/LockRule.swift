import DAVCore

/// 423 Locked and lock preconditions; 412 on an If header.
enum LockRule: Rule {
    static func findings(_ input: RuleInput) -> [Finding] {
        var findings: [Finding] = []
        let locked = input.failing([423])
        if !locked.isEmpty {
            let roots = Array(Set(locked.flatMap { $0.conditionHrefs }.map { Href($0).displayPath })).sorted()
            var evidence = ["\(Wording.resources(locked.count)) answered 423 Locked"]
            let conditions = Set(locked.flatMap(\.conditions))
            if conditions.contains(DAV.lockTokenSubmitted.description) {
                evidence.append("<D:lock-token-submitted> names the lock root(s): \(roots.isEmpty ? "(none given)" : Wording.list(roots, limit: 5))")
            }
            if conditions.contains(DAV.noConflictingLock.description) {
                evidence.append(
                    "<D:no-conflicting-lock>: another lock on \(roots.isEmpty ? "the resource" : Wording.list(roots)) conflicts with the one asked for"
                )
            }
            if input.context.request.headers["If"] == nil {
                evidence.append("the request carried no If header, so no lock token was submitted")
            }
            findings.append(
                Finding(
                    cause: .lock, likelihood: .high,
                    title: "\(Wording.resources(locked.count)) locked\(roots.isEmpty ? "" : " by a lock on \(Wording.list(roots))")",
                    resources: locked.prefix(Finding.resourcesListed).map(\.path), resourceCount: locked.count, evidence: evidence,
                    fixes: FixBook.lock(roots: roots.isEmpty ? locked.map(\.path) : roots, server: input.server.kind), status: 423))
        }
        let failedPreconditions = input.failing([412])
        if !failedPreconditions.isEmpty {
            let ifHeader = input.context.request.headers["If"]
            findings.append(
                Finding(
                    cause: .lock, title: "\(Wording.resources(failedPreconditions.count)) failed a precondition (412)",
                    resources: failedPreconditions.map(\.path),
                    evidence: [ifHeader.map { "the If header \($0) matched no lock or ETag there" } ?? "412 Precondition Failed on members"],
                    fixes: [Fix("Refresh the lock token or ETag the client holds (PROPFIND lockdiscovery / getetag), then retry", .easy)], status: 412
                ))
        }
        return findings
    }
}
