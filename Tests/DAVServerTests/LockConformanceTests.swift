import DAVCore
import Foundation
import Testing

@testable import DAVServer

struct LockConformanceTests {
    static func lock(_ token: String, _ root: ResourcePath, deep: Bool = true, exclusive: Bool = true, seconds: Int = 60, now: Double = 1000)
        -> ActiveLock
    {
        ActiveLock(
            token: token, root: root, rootIsCollection: deep, isDeep: deep, isExclusive: exclusive,
            owner: XMLElement(DAV.owner, children: [.text("me")]), principal: nil, timeout: .seconds(seconds), now: now)
    }

    @Test(arguments: Backend.stores)
    func conflictsCoverageRefreshUnlock(_ backend: Backend) throws {
        let fixture = try ServerFixture(backend, seed: false)
        let locks = fixture.options.locks
        try locks.create(Self.lock("urn:t:1", path("dir")), now: 1000)
        // An exclusive deep lock covers members and conflicts with any lock inside.
        #expect(try locks.locks(covering: path("dir", "f"), descendants: false, now: 1000).map(\.token) == ["urn:t:1"])
        #expect(throws: DAVError.self) { try locks.create(Self.lock("urn:t:2", path("dir", "f"), deep: false, exclusive: false), now: 1000) }
        #expect(throws: DAVError.self) { try locks.create(Self.lock("urn:t:3", .root), now: 1000) }
        // Shared locks share.
        try locks.create(Self.lock("urn:t:4", path("other"), deep: false, exclusive: false), now: 1000)
        try locks.create(Self.lock("urn:t:5", path("other"), deep: false, exclusive: false), now: 1000)
        #expect(try locks.locks(covering: path("other"), descendants: false, now: 1000).count == 2)
        #expect(try locks.locks(covering: .root, descendants: true, now: 1000).count == 3)

        let refreshed = try locks.refresh(token: "urn:t:1", path: path("dir", "f"), timeout: .seconds(600), now: 1010)
        #expect(refreshed.expires == 1610)
        #expect(throws: DAVError.self) { try locks.refresh(token: "urn:t:1", path: path("else"), timeout: .seconds(5), now: 1010) }
        #expect(throws: DAVError.self) { try locks.unlock(token: "urn:t:4", path: path("dir"), now: 1010) }
        try locks.unlock(token: "urn:t:4", path: path("other"), now: 1010)
        #expect(try locks.lock(token: "urn:t:4", now: 1010) == nil)

        // Expiry: t:5 ends at 1060.
        #expect(try locks.lock(token: "urn:t:5", now: 1061) == nil)
        try locks.removeAll(under: path("dir"))
        #expect(try locks.lock(token: "urn:t:1", now: 1061) == nil)
    }

    @Test func sqliteKeepsLiveLocksAndDropsExpiredOnes() throws {
        let data = TemporaryDirectory()
        let now = Date().timeIntervalSince1970
        do {
            let stores = try DAVServer.persistentStores(dataDirectory: data.path)
            try stores.locks.create(Self.lock("urn:t:long", path("a"), seconds: 3600, now: now), now: now)
            try stores.locks.create(Self.lock("urn:t:short", path("b"), seconds: 1, now: now - 10), now: now - 10)
        }
        let reopened = try DAVServer.persistentStores(dataDirectory: data.path)
        let kept = try #require(try reopened.locks.lock(token: "urn:t:long", now: now))
        #expect(kept.owner == XMLElement(DAV.owner, children: [.text("me")]))
        #expect(kept.root == path("a"))
        #expect(try reopened.locks.lock(token: "urn:t:short", now: now) == nil)
    }

    @Test func lockTableIsPureBookkeeping() throws {
        var table = LockTable()
        try table.add(Self.lock("urn:t:a", path("x"), deep: false, exclusive: true))
        #expect(table.conflicts(with: Self.lock("urn:t:b", path("x", "y"), deep: false)).isEmpty)
        #expect(table.conflicts(with: Self.lock("urn:t:c", .root, deep: true)).count == 1)
        #expect(table.expire(now: 2000) == ["urn:t:a"])
        #expect(table.locks.isEmpty)
    }
}
