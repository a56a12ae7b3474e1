import DAVCore
import Testing

@testable import DAVServer

/// The ``ChangeLog`` contract, held by the memory, the SQLite and the PostgreSQL log alike.
struct ChangeLogConformanceTests {
    static func created(_ segments: String...) -> ChangeEntry { ChangeEntry(ResourcePath(segments: segments), .created, isCollection: false) }

    @Test(arguments: Backend.stores)
    func revisionsGrowAndTheWindowWaitsForChangesUnderWay(_ backend: Backend) throws {
        let log = try ServerFixture(backend, seed: false).options.changes
        #expect(try log.window() == ChangeWindow(oldest: 0, newest: 0))
        let first = try log.begin([Self.created("a"), Self.created("b")])
        #expect(first.revisions == 1...2)
        #expect(try log.window().newest == 0, "a change under way is not in the window yet")
        let second = try log.begin([Self.created("c")])
        #expect(second.revisions == 3...3)
        log.end(second)
        #expect(try log.window().newest == 0, "an earlier change still under way holds the window back")
        log.end(first)
        #expect(try log.window() == ChangeWindow(oldest: 0, newest: 3))
        // The root is no collection's member: its entries are dropped.
        let root = try log.begin([ChangeEntry(.root, .changed, isCollection: true)])
        log.end(root)
        #expect(try log.window().newest == 3)
        #expect(SyncToken.isLogID(log.logID))
    }

    @Test(arguments: Backend.stores)
    func changesAreScopedToMembersOrTheWholeTree(_ backend: Backend) throws {
        let log = try ServerFixture(backend, seed: false).options.changes
        let entries = [
            ChangeEntry(path("c"), .created, isCollection: true),  // 1: the collection itself
            ChangeEntry(path("c", "a"), .created, isCollection: false),  // 2
            ChangeEntry(path("c", "sub"), .created, isCollection: true),  // 3
            ChangeEntry(path("c", "sub", "x"), .changed, isCollection: false),  // 4
            ChangeEntry(path("cc", "y"), .removed, isCollection: false),  // 5: "/cc" is not below "/c"
            ChangeEntry(path("c", "a"), .changed, isCollection: false),  // 6
        ]
        log.end(try log.begin(entries))
        let members = try log.changes(in: path("c"), infinite: false, after: 0, through: 6)
        #expect(members.map(\.revision) == [2, 3, 6])
        #expect(members.last?.entry == entries[5])
        #expect(try log.changes(in: path("c"), infinite: true, after: 0, through: 6).map(\.revision) == [2, 3, 4, 6])
        #expect(try log.changes(in: path("c"), infinite: true, after: 3, through: 4).map(\.revision) == [4])
        #expect(try log.changes(in: .root, infinite: false, after: 0, through: 6).map(\.entry.path) == [path("c")])
        #expect(try log.changes(in: .root, infinite: true, after: 0, through: 6).count == 6)
        // Created or removed at the collection or above it: the collection there now is another one.
        #expect(try log.wasReplaced(path("c", "sub"), after: 0, through: 6))
        #expect(try log.wasReplaced(path("c", "sub"), after: 1, through: 6))
        #expect(try !log.wasReplaced(path("c", "sub"), after: 3, through: 6), "a change inside it does not replace it")
        #expect(try !log.wasReplaced(path("cc"), after: 0, through: 6), "a removed member does not replace its parent")
    }

    @Test(arguments: Backend.stores)
    func theOldestEntriesGoPastTheCapacity(_ backend: Backend) throws {
        let log = try ServerFixture(backend, seed: false, changeLogCapacity: 4).options.changes
        for index in 0..<10 { log.end(try log.begin([Self.created("f\(index)")])) }
        let window = try log.window()
        #expect(window.newest == 10)
        #expect(window.oldest >= 1 && window.oldest <= 6, "at least the last 4 entries stay")
        #expect(!window.contains(0))
        let kept = try log.changes(in: .root, infinite: false, after: window.oldest, through: window.newest)
        #expect(kept.map(\.revision) == Array((window.oldest + 1)...10))
        #expect(try log.changes(in: .root, infinite: false, after: 0, through: window.oldest).isEmpty)
    }

    @Test func theSQLiteLogKeepsItsRevisionsAndItsIDAcrossRestarts() throws {
        let data = TemporaryDirectory()
        let id: String
        do {
            let log = try DAVServer.persistentStores(dataDirectory: data.path, changeLogCapacity: 3).changes
            id = log.logID
            for index in 0..<6 { log.end(try log.begin([Self.created("f\(index)")])) }
            // Begun and never ended: the process died before the change was made.
            _ = try log.begin([Self.created("cut")])
        }
        let reopened = try DAVServer.persistentStores(dataDirectory: data.path, changeLogCapacity: 3).changes
        #expect(reopened.logID == id)
        let window = try reopened.window()
        #expect(window.newest == 7, "an entry logged before a crash counts: its change may have been made")
        #expect(window.oldest > 0 && window.oldest <= 4)
        let next = try reopened.begin([Self.created("after")])
        #expect(next.revisions == 8...8, "revisions are never reused")
        reopened.end(next)
        #expect(try reopened.changes(in: .root, infinite: false, after: 6, through: 8).map(\.entry.path) == [path("cut"), path("after")])
        let other = try DAVServer.persistentStores(dataDirectory: TemporaryDirectory().path).changes
        #expect(other.logID != id, "each data directory has its own log")
    }

    @Test func tokensRoundTripAndRefuseEverythingElse() throws {
        let id = SyncToken.newLogID()
        let plain = SyncToken(logID: id, revision: 42)
        #expect(plain.uri == "http://davdoctor.invalid/sync/\(id)/42")
        #expect(SyncToken(uri: plain.uri) == plain)
        let parted = SyncToken(logID: id, revision: 7, cursor: path("a b", "caf\u{E9}?#.txt"))
        #expect(parted.uri.hasSuffix("/7?after=/a%20b/caf%C3%A9%3F%23.txt"))
        #expect(SyncToken(uri: parted.uri) == parted)
        let refused = [
            "", "42", "http://davdoctor.invalid/sync/\(id)/", "http://davdoctor.invalid/sync/\(id)/-1",
            "http://davdoctor.invalid/sync/\(id)/+1", "http://davdoctor.invalid/sync/\(id)/1 ",
            "http://davdoctor.invalid/sync/\(id)/99999999999999999999",
            "http://davdoctor.invalid/sync/\(id.uppercased())/1", "http://davdoctor.invalid/sync/abc/1", "https://davdoctor.invalid/sync/\(id)/1",
            "http://davdoctor.invalid/sync/\(id)/1?after=", "http://davdoctor.invalid/sync/\(id)/1?after=/",
            "http://davdoctor.invalid/sync/\(id)/1?after=/a%2Fb",
            "http://davdoctor.invalid/sync/\(id)/1?after=/../x", "http://davdoctor.invalid/sync/\(id)/" + String(repeating: "1", count: 10_000),
            "http://davdoctor.invalid/sync/\(id)/1?after=/" + String(repeating: "a", count: 20_000),
        ]
        for text in refused { #expect(SyncToken(uri: text) == nil, "\(text.prefix(80))") }
    }
}
