import DAVCore

/// Lint errors: a multistatus that breaks the RFC misleads clients even when every status is fine.
enum PayloadRule: Rule {
    static func findings(_ input: RuleInput) -> [Finding] {
        guard let collector = input.collector else { return [] }
        var encoding: [Finding] = []
        if !collector.namesNotUTF8.isEmpty {
            encoding.append(
                Finding(
                    cause: .payload, likelihood: .medium,
                    title: "hrefs name resources in bytes that are not UTF-8",
                    resources: collector.namesNotUTF8, resourceCount: collector.namesNotUTF8Count,
                    evidence: [
                        "the href \(collector.namesNotUTF8[0]) percent-decodes to bytes that are not UTF-8 (a name written in Latin-1 or another legacy encoding)",
                        "RFC 3986 §2.5 and RFC 4918 §8.3 expect UTF-8 names: Windows, Finder, DAVx5 and rclone show a replacement character and then cannot open or sync the item",
                    ],
                    fixes: [
                        Fix(
                            "Rename the files on the server to UTF-8 (convmv -f latin1 -t utf-8 -r --notest DIR), or mount the share with the right iocharset",
                            .medium)
                    ]))
        }
        if input.context.method == "PROPFIND", collector.selfCount > 1, Set(collector.selfHrefs).count > 1 {
            // Identical repeats are the linter's duplicate-href; these differ, so one of them is not the collection.
            let path = input.context.requestPath
            encoding.append(
                Finding(
                    cause: .payload, likelihood: .high,
                    signs: [Sign("member-named-as-request-uri", subject: path, value: String(collector.selfCount))],
                    title: "a member of \(path) is listed under the collection's own URL: its name was lost",
                    resources: [path], resourceCount: collector.selfCount - 1,
                    evidence: [
                        "\(collector.selfCount) responses name the Request-URI (\(Wording.list(collector.selfHrefs.map { "\"\($0)\"" }))): a listing names it once, so the others are members whose hrefs lost their names",
                        "servers drop a name they cannot write as UTF-8 (SabreDAV with a Latin-1 file name writes the parent's path without its slash); clients cannot open, sync or delete that member, and some take it for the collection itself",
                    ],
                    fixes: [
                        Fix(
                            "Find the member whose name is not UTF-8 (ls on the server) and rename it to UTF-8 (convmv -f latin1 -t utf-8 --notest)",
                            .medium)
                    ]))
        }
        if collector.unqualifiedProperties > 0 {
            let names = collector.unqualifiedExamples.map { "<\($0)/>" }.joined(separator: ", ")
            encoding.append(
                Finding(
                    cause: .payload, likelihood: .medium,
                    title: "properties come back in no namespace (\(names)), not as DAV: properties",
                    resources: [input.context.requestPath], resourceCount: collector.unqualifiedProperties,
                    evidence: [
                        "\(collector.unqualifiedProperties) propert\(collector.unqualifiedProperties == 1 ? "y is" : "ies are") written without a prefix where no default namespace is declared, so \(names) name no DAV: property (Namespaces in XML 1.0 §6.2)",
                        "namespace-aware clients (Cyberduck, DAVx5, the Windows Mini-Redirector, sabre/dav's client) do not find getetag, getcontentlength or resourcetype in it",
                    ],
                    fixes: [
                        Fix("Upgrade or fix the server's XML writer so that it prefixes every DAV: property (or declares xmlns=\"DAV:\")", .medium)
                    ]))
        }
        return encoding
            + collector.linter.results.map { lint in
                // A body that is not well-formed XML loses every client the whole answer: it comes before anything it holds.
                let breaksDocument = lint.rule == LintRules.forbiddenCharacter || lint.rule == LintRules.notUTF8
                let likelihood: Likelihood = breaksDocument ? .high : lint.rule.severity == .error ? .medium : .low
                var evidence = [
                    "\(lint.message)\(lint.count > 1 ? " (and \(lint.count - 1) more like it)" : "")",
                    "\(lint.rule.section): \(lint.rule.summary)",
                    "breaks: \(lint.rule.breaks)",
                ]
                if let entry = lint.rule.catalog { evidence.append("failure catalog \(entry)") }
                var finding = Finding(
                    cause: .payload, likelihood: likelihood, signs: [Sign("lint", subject: lint.rule.id, value: lint.rule.catalog)],
                    title: lint.rule.summary,
                    // A fault of the whole body (its media type, an undeclared prefix) concerns the resource asked for.
                    resources: lint.examples.isEmpty ? [input.context.requestPath] : lint.examples,
                    resourceCount: lint.examples.isEmpty ? 1 : max(lint.count, lint.examples.count), evidence: evidence,
                    fixes: [Fix(fix(for: lint.rule, server: input.server.kind), lint.rule.severity == .error ? .medium : .easy)])
                finding.because = evidence[0]  // what was found; the rest cites the RFC and who it breaks
                return finding
            }
    }

    static func fix(for rule: LintRule, server: ServerKind) -> String {
        switch rule.id {
        case "status-line":
            return
                "Emit \"HTTP/1.1 NNN Reason\" in every <D:status>\(server == .nginx ? " (nginx dav-ext copies the request's version: upgrade the module or avoid HTTP/2 to the backend)" : "")"
        case "href-not-encoded": return "Percent-encode every path segment of each href (leave displayname unescaped)"
        case "href-double-encoded":
            return
                "Percent-encode each name exactly once: the server, or a proxy in front that encodes hrefs again, turns %20 into %2520 (RFC 3986 §2.4)"
        case "unbound-prefix":
            return
                "Declare every namespace prefix the body uses (xmlns:D=\"DAV:\" and one per other namespace)\(server == .lighttpd ? "; lighttpd writes <DAV:name/> without a binding in some answers: upgrade it" : "")"
        case "undefined-entity": return "Write names as UTF-8 or numeric references (&#195;), never HTML entities"
        case "getlastmodified-format": return "Emit getlastmodified exactly as \"Sun, 06 Nov 1994 08:49:37 GMT\""
        case "getcontentlength-on-collection": return "Omit getcontentlength on collections; clients should rely on resourcetype"
        case "duplicate-href": return "Emit each resource once per multistatus"
        case "content-type": return "Send Content-Type: application/xml; charset=utf-8 with the 207"
        case "missing-status", "status-and-propstat", "missing-href", "several-hrefs-with-propstat":
            return "Give every <D:response> one href with a <D:status>, or one href with <D:propstat>s that each carry a <D:status> (RFC 4918 §14.24)"
        default: return "Make the server's multistatus follow \(rule.section)"
        }
    }
}
