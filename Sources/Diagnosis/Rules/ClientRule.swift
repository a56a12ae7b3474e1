import DAVCore

/// Server behaviour the RFC allows but a named client is known to reject, visible from one answer.
enum ClientRule: Rule {
    static let windowsAttributeLimit = 1_000_000

    static func findings(_ input: RuleInput) -> [Finding] {
        guard let collector = input.collector else { return [] }
        var findings: [Finding] = []
        if let info = input.bodyInfo, info.bytes > windowsAttributeLimit, input.context.depth == .one {
            findings.append(
                Finding(
                    cause: .client, likelihood: .medium,
                    title: "Windows Explorer will fail to list \(input.context.requestPath): the listing is \(info.bytes) bytes",
                    resources: [input.context.requestPath],
                    evidence: [
                        "the Windows WebClient refuses property answers over FileAttributesLimitInBytes (1,000,000 bytes by default) for one collection (catalog CLI-01)"
                    ],
                    fixes: [
                        Fix(
                            "Raise HKLM\\SYSTEM\\CurrentControlSet\\Services\\WebClient\\Parameters\\FileAttributesLimitInBytes on the Windows clients",
                            .medium),
                        Fix("Or split the collection into smaller folders", .medium),
                    ]))
        }
        if !collector.namesWithPercent.isEmpty {
            findings.append(
                Finding(
                    cause: .client, likelihood: .low,
                    title: "names with % will not open in Windows Explorer and may be mangled by davfs2",
                    resources: collector.namesWithPercent,
                    evidence: ["the Windows Mini-Redirector does not support % in item names; davfs2 turned %25 into % on upload (catalog PATH-08)"],
                    fixes: [Fix("Rename these items without %, or use a client that handles them (rclone, Cyberduck)", .easy)]))
        }
        if !collector.namesWithControls.isEmpty {
            findings.append(
                Finding(
                    cause: .client, likelihood: .medium,
                    title: "names with control characters cannot be created or opened on Windows",
                    resources: collector.namesWithControls,
                    evidence: [
                        "\(collector.namesWithControls.first ?? "") holds a character below U+0020, which Windows forbids in file names: Explorer and the Mini-Redirector cannot open or copy it, and sync clients stop on it"
                    ],
                    fixes: [Fix("Rename these items on the server without control characters", .easy)]))
        }
        if !collector.normalizationTwins.isEmpty {
            let pairs = collector.normalizationTwins
            findings.append(
                Finding(
                    cause: .client, likelihood: .medium,
                    title: "\(pairs.count) name(s) exist twice, once NFC and once NFD: macOS and Windows clients show one and lose the other",
                    resources: pairs.flatMap { [$0.0, $0.1] },
                    evidence: pairs.prefix(3).map { "\($0.0) and \($0.1) look the same but differ in Unicode normalisation (catalog PATH-07)" },
                    fixes: [Fix("Rename one of each pair; make the server or uploading client normalise names to NFC", .medium)]))
        }
        return findings
    }
}
