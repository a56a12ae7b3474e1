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
        #expect(store.memberProperties.lookup(path("dir")).members == first)

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

    /// A write forgets the folders whose members it can change and keeps every other: a Windows client
    /// uploading into one folder does not make the next listing of another read its properties again.
    @Test func aWriteForgetsOnlyTheFoldersItCanChange() throws {
        let data = TemporaryDirectory()
        let store = try #require(try DAVServer.persistentStores(dataDirectory: data.path).properties as? SQLitePropertyStore)
        let (one, two, tree, sub) = (path("one"), path("two"), path("tree"), path("tree", "sub"))
        let folders = [one, two, tree, sub]
        let writes: [(String, () throws -> Void, [ResourcePath])] = [
            ("a set in one folder", { try store.apply([.set(Self.color("y"))], at: path("one", "b")) }, [two, tree, sub]),
            ("a removal of one file's properties", { try store.remove(at: path("two", "a"), recursive: false) }, [one, tree, sub]),
            ("a copy of a file", { try store.copy(from: path("one", "a"), to: path("two", "c"), recursive: false) }, [one, tree, sub]),
            ("a copy of a tree", { try store.copy(from: tree, to: path("one", "tree"), recursive: true) }, [two, tree, sub]),
            ("a move between folders", { try store.move(from: path("one", "a"), to: path("two", "a")) }, [tree, sub]),
            ("a removal of a tree", { try store.remove(at: tree, recursive: true) }, [one, two]),
            ("a move of a tree, renaming", { try store.move(from: sub, to: path("two", "sub"), renaming: {}) }, [one]),
        ]
        for (step, write, expected) in writes {
            for folder in folders {
                try store.apply([.set(Self.color("x"))], at: folder.appending("a"))
            }
            for folder in folders { _ = try store.propertiesOfMembers(of: folder) }
            #expect(folders.allSatisfy { store.memberProperties.lookup($0).members != nil }, "before \(step)")
            try write()
            #expect(folders.filter { store.memberProperties.lookup($0).members != nil } == expected, "after \(step)")
        }
    }

    /// Folders and members whose names differ only in their Unicode normalization are two resources on
    /// disk and two keys in the store; kept, they stay two.
    @Test func namesInNFCAndNFDAreKeptApart() throws {
        let data = TemporaryDirectory()
        let store = try #require(try DAVServer.persistentStores(dataDirectory: data.path).properties as? SQLitePropertyStore)
        let (nfc, nfd) = ("caf\u{E9}", "cafe\u{301}")
        try store.apply([.set(Self.color("in nfc"))], at: path(nfc, "a"))
        try store.apply([.set(Self.color("in nfd"))], at: path(nfd, "a"))
        try store.apply([.set(Self.color("nfc"))], at: path("dir", nfc))
        try store.apply([.set(Self.color("nfd"))], at: path("dir", nfd))
        for reading in ["read", "kept"] {
            #expect(try store.propertiesOfMembers(of: path(nfc)) == [path(nfc, "a"): [Self.color("in nfc")]], "\(reading)")
            #expect(try store.propertiesOfMembers(of: path(nfd)) == [path(nfd, "a"): [Self.color("in nfd")]], "\(reading)")
            let members = try store.propertiesOfMembers(of: path("dir"))
            #expect(members == [path("dir", nfc): [Self.color("nfc")], path("dir", nfd): [Self.color("nfd")]], "\(reading)")
        }
    }

    @Test func aReadThatAWriteOvertookIsNotKept() {
        let cache = MemberPropertiesCache(capacity: 1 << 20)
        let (none, generation) = cache.lookup(path("dir"))
        #expect(none == nil)
        cache.forget(members: [path("elsewhere", "x")])  // a write committed while the folder was being read, in another folder
        cache.store([path("dir", "a"): [Self.color("old")]], bytes: 100, of: path("dir"), readAt: generation)
        #expect(cache.lookup(path("dir")).members == nil)
        let (_, current) = cache.lookup(path("dir"))
        cache.store([path("dir", "a"): [Self.color("new")]], bytes: 100, of: path("dir"), readAt: current)
        #expect(cache.lookup(path("dir")).members == [path("dir", "a"): [Self.color("new")]])
    }

    @Test func memoryStaysUnderTheCapacity() {
        let cache = MemberPropertiesCache(capacity: 1_000)
        for number in 0..<10 {
            cache.store(
                [path("f\(number)", "a"): [Self.color("x")]], bytes: 200, of: path("f\(number)"), readAt: cache.lookup(path("f\(number)")).generation)
            #expect(cache.bytes <= 1_000)
        }
        // The newest are kept, the oldest dropped; a folder over a quarter of the capacity is not kept.
        #expect(cache.lookup(path("f9")).members != nil)
        #expect(cache.lookup(path("f0")).members == nil)
        cache.store([path("big", "a"): [Self.color("x")]], bytes: 251, of: path("big"), readAt: cache.lookup(path("big")).generation)
        #expect(cache.lookup(path("big")).members == nil)
        let none = MemberPropertiesCache(capacity: 0)
        none.store([path("f", "a"): [Self.color("x")]], bytes: 1, of: path("f"), readAt: none.lookup(path("f")).generation)
        #expect(none.lookup(path("f")).members == nil)
    }
}
