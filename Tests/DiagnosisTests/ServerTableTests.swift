import DAVCore
import Testing

@testable import Diagnosis

/// Server tables read from each server's source and checked on real answers of the corpus (Tests/Corpus,
/// captured from the real servers by scripts/corpus/setups/, which start them through scripts/peers/): the
/// words Apache's mod_dav writes into a 207, and the bare 500s of Radicale and Xandikos, which name no
/// server of their own in the Server header.
struct ServerTableTests {
    static func analyze(_ name: String) throws -> AnalysisResult { try ServerHabitTests.analyze(name) }

    /// apache/proppatch-full: PROPPATCH of a dead property on /full/, a tmpfs with no byte or inode left
    /// (Apache 2.4.71, mod_dav_fs): 207 with the property at 500 and "Could not open the property database.".
    @Test func apachesPropertyDatabaseThatCannotBeCreatedIsAFolderWithNoRoom() throws {
        let result = try Self.analyze("apache/proppatch-full")
        #expect(result.server.kind == .apache)
        let first = try #require(result.findings.first)
        #expect(first.cause == .storage)
        // The answer alone cannot tell room from access: a likely reading, which a scratch write settles.
        #expect(first.likelihood == .medium)
        #expect(first.resources == ["/full/projects/plan.txt"])
        #expect(first.signs.contains(Sign("server-message", subject: "/full/projects/plan.txt", value: "Could not open the property database.")))
        #expect(first.signs.contains(Sign("property-database-not-writable", subject: "/full/projects/")))
        // The other readings of the same words follow; the generic "the server would not take it" does not.
        #expect(result.findings.dropFirst().first?.cause == .permission)
        #expect(!result.findings.contains { $0.cause == .serverConfig })
    }

    @Test func aPropertyDatabaseMessageIsKeptOncePerPropertyAndStatus() {
        var tally = PropertyTally()
        let name = QualifiedName("urn:example:props", "colour")
        for path in ["/a", "/b", "/c", "/d", "/e"] {
            tally.takeFailure(name, status: 500, path: path, conditions: [], description: "\nCould not open the property database.\n")
        }
        tally.takeFailure(name, status: 500, path: "/f", conditions: [], description: "  ")
        let failure = tally.failed[.init(name: name, status: 500)]
        #expect(failure?.descriptions == ["Could not open the property database."])
        #expect(failure?.count == 6)
    }

    @Test func radicaleAndXandikosAreKnownByTheServersTheyRunOn() {
        func kind(_ server: String, _ body: String, dav: String? = nil) -> ServerKind {
            var fields = [("Server", server), ("Content-Type", "text/plain; charset=utf-8")]
            if let dav { fields.append(("DAV", dav)) }
            return ServerProfile.recognise(headers: ServerHabitTests.head(500, fields).headers, bodyExcerpt: body).kind
        }
        #expect(kind("Python/3.11 aiohttp/3.14.5", "500 Internal Server Error\n\nServer got itself in trouble") == .xandikos)
        #expect(kind("WSGIServer/0.2 CPython/3.11.7", "A server error occurred.  Please contact the administrator.") == .radicale)
        #expect(kind("WSGIServer/0.2 CPython/3.11.7", "", dav: "1, 2, 3, calendar-access, addressbook, extended-mkcol") == .radicale)
        // wsgiref serving something else says nothing of Radicale.
        #expect(kind("WSGIServer/0.2 CPython/3.11.7", "Internal error") == .unknown)
    }

    @Test(arguments: [
        // (case from Tests/Corpus, the cause the server's table gives, its likelihood)
        ("xandikos/put-readonly-mount", Cause.permission, Likelihood.high),  // ENOSPC would be 507: the 500 is EROFS/EACCES
        ("xandikos/delete-readonly-mount", .permission, .medium),  // a removal needs no room
        ("xandikos/proppatch-full-disk", .storage, .medium),  // .xandikos rewritten: nothing mapped
        ("radicale/propfind-home-allprop-full-disk", .storage, .medium),  // the read writes .Radicale.cache
    ])
    func theBare500OfACalDAVServerIsReadByItsTable(_ name: String, _ cause: Cause, _ likelihood: Likelihood) throws {
        let result = try Self.analyze(name)
        let server = String(name.split(separator: "/")[0])
        #expect(result.server.kind.rawValue == server)
        let first = try #require(result.findings.first)
        #expect(first.cause == cause)
        #expect(first.likelihood == likelihood)
        let item = try ProvingProbeTests.corpusCase(name)
        #expect(first.signs.contains(Sign("status-habit", subject: server, value: "\(item.method) 500")))
    }
}
