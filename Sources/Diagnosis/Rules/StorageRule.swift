import DAVCore

/// 507 Insufficient Storage and quota values that clients misread.
enum StorageRule: Rule {
    static func findings(_ input: RuleInput) -> [Finding] {
        guard let collector = input.collector else { return [] }
        var findings: [Finding] = []
        let full = input.failing([507])
        let fullProperties = collector.failedProperties.filter { $0.key.status == 507 }.values.reduce(0) { $0 + $1.count }
        if !full.isEmpty || fullProperties > 0 {
            findings.append(
                Finding(
                    cause: .storage, likelihood: .high,
                    title: "no space left: \(Wording.resources(full.count + fullProperties)) answered 507 Insufficient Storage",
                    resources: full.prefix(Finding.resourcesListed).map(\.path), resourceCount: max(full.count, fullProperties),
                    evidence: ["507 means the server could not store the representation (disk full or quota reached), RFC 4918 §11.5"],
                    fixes: FixBook.storage(server: input.server.kind), status: 507))
        }
        if !collector.negativeQuota.isEmpty {
            findings.append(
                Finding(
                    cause: .storage, likelihood: .low, title: "quota properties carry negative sentinel values",
                    resources: collector.negativeQuota.map(\.path),
                    evidence: collector.negativeQuota.prefix(3).map {
                        "\($0.path): \($0.value) (RFC 4331 defines no negative values; -1/-2/-3 are Nextcloud's uncomputed/unknown/unlimited)"
                    },
                    fixes: [
                        Fix(
                            "Clients should read negative quota as unknown or unlimited; a strict server omits the property (404 propstat) instead",
                            .medium)
                    ]))
        }
        return findings
    }
}
