import DAVCore
import Foundation
import GRDB
import Testing

@testable import DAVServer

/// The SQLite store keeps a listed folder's member properties decoded, and every kind of write through the
/// store is seen by the next listing; a read that a write overtook is not kept; memory stays bounded.
struct MemberPropertiesCacheTests {
    private static func color(_ text: String) -> XMLElement {
        XMLElement(QualifiedName("urn:x", "color"), children: [.text(text)])
    }

    @Test func aFolderIsReadOnceAndEveryWriteIsSeen() throws {
        let data = TemporaryDirectory()
        let stores = try DAVServer.persistentStores(dataDirectory: data.path)
        let store = try #require(stores.properties as? SQLitePropertyStore)
        try store.apply([.set(Self.color("red"))], at: path("dir", "a"))
        try store.apply([.set(Self.color("blue"))], at: path("dir", "b"))
        let first = try store.propertiesOfMembers(of: path("dir"))
        #expect(first == [path("dir", "a"): [Self.color("red")], path("dir", "b"): [Self.color("blue")]])
        #expect(store.memberProperties.lookup("/dir").members == first)

        // Kept: a change made behind the store's back (which a server owning its data directory never
        // sees) does not show, so the second listing did not read the database.
        let database = try DatabaseQueue(path: data.path + "/davdoctor.sqlite")
        try database.write { db in try db.execute(sql: "DELETE FROM dead_property WHERE path = '/dir/b'") }
        #expect(try store.propertiesOfMembers(of: path("dir")) == first)
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO dead_property VALUES ('/dir/b', '/dir', 'urn:x', 'color', ?)",
                arguments: [String(decoding: try JSONEncoder().encode(StoredElement(Self.color("blue"))), as: UTF8.self)])
        }

        let writes: [(String, () throws -> Void, [ResourcePath: [XMLElement]])] = [
            (
                "a set", { try store.apply([.set(Self.color("green"))], at: path("dir", "a")) },
                [path("dir", "a"): [Self.color("green")], path("dir", "b"): [Self.color("blue")]]
            ),
            ("a removal", { try store.apply([.remove(Self.color("").name)], at: path("dir", "b")) }, [path("dir", "a"): [Self.color("green")]]),
            (
                "a copy in", { try store.copy(from: path("dir", "a"), to: path("dir", "c"), recursive: false) },
                [path("dir", "a"): [Self.color("green")], path("dir", "c"): [Self.color("green")]]
            ),
            (
                "a move within", { try store.move(from: path("dir", "c"), to: path("dir", "d")) },
                [path("dir", "a"): [Self.color("green")], path("dir", "d"): [Self.color("green")]]
            ),
            (
                "a move out, renaming", { try store.move(from: path("dir", "d"), to: path("other", "d"), renaming: {}) },
                [path("dir", "a"): [Self.color("green")]]
            ),
            ("a deletion", { try store.remove(at: path("dir", "a"), recursive: false) }, [:]),
        ]
        for (step, write, expected) in writes {
            _ = try store.propertiesOfMembers(of: path("dir"))
            try write()
            #expect(try store.propertiesOfMembers(of: path("dir")) == expected, "after \(step)")
        }
    }

    @Test func aReadThatAWriteOvertookIsNotKept() {
        let cache = MemberPropertiesCache(capacity: 1 << 20)
        let (none, generation) = cache.lookup("/dir")
        #expect(none == nil)
        cache.forget()  // a write committed while the folder was being read
        cache.store([path("dir", "a"): [Self.color("old")]], bytes: 100, of: "/dir", readAt: generation)
        #expect(cache.lookup("/dir").members == nil)
        let (_, current) = cache.lookup("/dir")
        cache.store([path("dir", "a"): [Self.color("new")]], bytes: 100, of: "/dir", readAt: current)
        #expect(cache.lookup("/dir").members == [path("dir", "a"): [Self.color("new")]])
    }

    @Test func memoryStaysUnderTheCapacity() {
        let cache = MemberPropertiesCache(capacity: 1_000)
        for number in 0..<10 {
            cache.store([path("f\(number)", "a"): [Self.color("x")]], bytes: 200, of: "/f\(number)", readAt: cache.lookup("/f\(number)").generation)
            #expect(cache.bytes <= 1_000)
        }
        // The newest are kept, the oldest dropped; a folder over a quarter of the capacity is not kept.
        #expect(cache.lookup("/f9").members != nil)
        #expect(cache.lookup("/f0").members == nil)
        cache.store([path("big", "a"): [Self.color("x")]], bytes: 251, of: "/big", readAt: cache.lookup("/big").generation)
        #expect(cache.lookup("/big").members == nil)
        let none = MemberPropertiesCache(capacity: 0)
        none.store([path("f", "a"): [Self.color("x")]], bytes: 1, of: "/f", readAt: none.lookup("/f").generation)
        #expect(none.lookup("/f").members == nil)
    }
}
