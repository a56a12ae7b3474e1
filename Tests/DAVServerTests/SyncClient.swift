import DAVCore
import Foundation
import HummingbirdTesting
import Testing

@testable import DAVServer

/// A `DAV:sync-collection` REPORT body (RFC 6578 §6.1).
func syncBody(_ token: String?, level: String = "1", nresults: String? = nil, props: String = "<D:getetag/>") -> String {
    let limit = nresults.map { "<D:limit><D:nresults>\($0)</D:nresults></D:limit>" } ?? ""
    return #"<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">"#
        + "<D:sync-token>\(XMLText.escapeText(token ?? ""))</D:sync-token><D:sync-level>\(level)</D:sync-level>\(limit)<D:prop>\(props)</D:prop>"
        + "</D:sync-collection>"
}

/// A sync-collection answer read by kind, through DAVCore's own parser: which hrefs came as changed (a 200
/// propstat, with their entity tags), which as removed (404, no propstat), whether it was cut short (507
/// with `DAV:number-of-matches-within-limits` on the collection), and the token to go on from.
struct SyncAnswer: Sendable {
    var changed: [String: String] = [:]
    var removed: [String] = []
    var truncated = false
    var token: String?
    /// Every href in the order it came, the 507 on the collection left out.
    var hrefs: [String] = []

    init(_ multistatus: MultiStatus, collection: String) throws {
        token = multistatus.syncToken
        for response in multistatus.responses {
            let href = try #require(response.href)
            if response.status?.code == 507 {
                #expect(href == collection, "the 507 names the request-URI")
                #expect(response.conditions == [DAV.numberOfMatchesWithinLimits])
                #expect(response.propstats.isEmpty)
                truncated = true
                continue
            }
            hrefs.append(href)
            if response.status?.code == 404 {
                #expect(response.propstats.isEmpty, "a removed member has no propstat (RFC 6578 §3.2)")
                removed.append(href)
            } else {
                #expect(response.status == nil, "a changed member has propstats, no status")
                #expect(response.propstats.contains { $0.status?.code == 200 })
                changed[href] = response.value(of: DAV.getetag)?.text ?? ""
            }
        }
        #expect(Set(hrefs).count == hrefs.count, "each member at most once (RFC 6578 §3.2)")
    }

    var changedHrefs: Set<String> { Set(changed.keys) }
}

extension TestClientProtocol {
    /// One sync-collection REPORT that must succeed (207), read as a ``SyncAnswer``.
    func sync(
        _ collection: String, _ token: String?, level: String = "1", nresults: String? = nil, headers: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> SyncAnswer {
        let response = try await send("REPORT", collection, headers: headers, body: syncBody(token, level: level, nresults: nresults))
        #expect(response.code == 207, "\(response.text)", sourceLocation: sourceLocation)
        #expect(response.header("Content-Type")?.hasPrefix("application/xml") == true, sourceLocation: sourceLocation)
        return try SyncAnswer(try response.multiStatus(), collection: collection)
    }

    /// Follows truncated answers to the end; every part's answer, in order.
    func syncAll(_ collection: String, _ token: String?, level: String = "1", nresults: String? = nil) async throws -> [SyncAnswer] {
        var parts: [SyncAnswer] = []
        var next = token
        for _ in 0..<100 {
            let part = try await sync(collection, next, level: level, nresults: nresults)
            parts.append(part)
            next = part.token
            if !part.truncated { return parts }
        }
        Issue.record("a truncated synchronisation did not end within 100 parts")
        return parts
    }

    /// The precondition element of an error answer, with its status.
    func refusal(_ method: String, _ uri: String, headers: [String: String] = [:], body: String?) async throws -> (Int, [QualifiedName]) {
        let response = try await send(method, uri, headers: headers, body: body)
        guard response.header("Content-Type")?.hasPrefix("application/xml") == true,
            let root = try? XMLTreeParser.parse(Array(response.text.utf8), limits: .requestBody, strict: true).root, root.name == DAV.error
        else { return (response.code, []) }
        return (response.code, root.elements.map(\.name))
    }
}
