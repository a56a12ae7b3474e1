import DAVCore
import GRDB
import Testing

@testable import DAVServer

struct PropertyStoreConformanceTests {
    static let name = QualifiedName("urn:test", "color")

    static func value(_ text: String) -> XMLElement {
        XMLElement(
            name, attributes: [XMLAttribute(QualifiedName(xmlNamespace, "lang"), "en")],
            children: [
                .text(text), .element(XMLElement(QualifiedName("urn:other", "nested"), children: [.text("🎨")])),
            ])
    }

    @Test(arguments: Backend.stores)
    func setRemoveCopyMove(_ backend: Backend) throws {
        let fixture = try ServerFixture(backend, seed: false)
        let store = fixture.options.properties
        try store.apply([.set(Self.value("red"))], at: path("a"))
        try store.apply([.set(Self.value("blue"))], at: path("a", "child"))
        try store.apply([.set(Self.value("nfc"))], at: path(HostileNames.nfc))
        #expect(try store.properties(at: path("a")) == [Self.value("red")])
        #expect(try store.properties(at: path(HostileNames.nfd)).isEmpty)

        try store.copy(from: path("a"), to: path("b"), recursive: true)
        #expect(try store.properties(at: path("b", "child")) == [Self.value("blue")])
        try store.copy(from: path("a"), to: path("c"), recursive: false)
        #expect(try store.properties(at: path("c", "child")).isEmpty)

        try store.move(from: path("b"), to: path("d"))
        #expect(try store.properties(at: path("b")).isEmpty)
        #expect(try store.properties(at: path("d", "child")) == [Self.value("blue")])

        try store.apply([.remove(Self.name), .set(XMLElement(QualifiedName("", "nullns")))], at: path("a"))
        #expect(try store.properties(at: path("a")).map(\.name) == [QualifiedName("", "nullns")])
        try store.remove(at: path("d"), recursive: true)
        #expect(try store.properties(at: path("d", "child")).isEmpty)
        // "/ab" is not below "/a".
        try store.apply([.set(Self.value("x"))], at: path("ab"))
        try store.remove(at: path("a"), recursive: true)
        #expect(try store.properties(at: path("ab")) == [Self.value("x")])
    }

    @Test(arguments: Backend.stores)
    func membersPropertiesInOneQuery(_ backend: Backend) throws {
        let fixture = try ServerFixture(backend, seed: false)
        let store = fixture.options.properties
        try store.apply([.set(Self.value("a"))], at: path("dir", "a"))
        try store.apply([.set(Self.value("b"))], at: path("dir", "b"))
        try store.apply([.set(Self.value("deep"))], at: path("dir", "b", "c"))
        try store.apply([.set(Self.value("self"))], at: path("dir"))
        try store.apply([.set(Self.value("next door"))], at: path("dir2", "x"))
        let found = try store.propertiesOfMembers(of: path("dir"))
        #expect(found == [path("dir", "a"): [Self.value("a")], path("dir", "b"): [Self.value("b")]])
        try store.move(from: path("dir"), to: path("moved"))
        #expect(try store.propertiesOfMembers(of: path("moved", "b")) == [path("moved", "b", "c"): [Self.value("deep")]])
        #expect(try store.propertiesOfMembers(of: .root) == [path("moved"): [Self.value("self")]])
    }

    @Test func sqliteKeepsPropertiesAcrossRestarts() throws {
        let data = TemporaryDirectory()
        do {
            let stores = try DAVServer.persistentStores(dataDirectory: data.path)
            try stores.properties.apply([.set(Self.value("kept"))], at: path("r"))
        }
        let reopened = try DAVServer.persistentStores(dataDirectory: data.path)
        #expect(try reopened.properties.properties(at: path("r")) == [Self.value("kept")])
    }

    struct RenameFailed: Error {}

    /// A move around a rename: the properties follow a rename that happened, stay after one that failed, and
    /// a failed rename leaves no recorded move for start-up to finish wrongly.
    @Test(arguments: Backend.stores)
    func moveAroundARename(_ backend: Backend) throws {
        let fixture = try ServerFixture(backend, seed: false)
        let store = fixture.options.properties
        try store.apply([.set(Self.value("red"))], at: path("a", "x"))
        var renamed = false
        try store.move(from: path("a"), to: path("b")) { renamed = true }
        #expect(renamed)
        #expect(try store.paths() == [path("b", "x")])

        #expect(throws: RenameFailed.self) { try store.move(from: path("b"), to: path("c")) { throw RenameFailed() } }
        #expect(try store.paths() == [path("b", "x")])
        try store.finishInterruptedMoves { $0.description.hasPrefix("/c") }
        #expect(try store.paths() == [path("b", "x")], "no move was left recorded")
    }
}

/// A stored value that no longer decodes is an error naming the resource and the property, never a
/// property that silently goes missing from PROPFIND.
struct UnreadablePropertyTests {
    @Test func anUndecodableValueIsAnError() throws {
        let data = TemporaryDirectory()
        let stores = try DAVServer.persistentStores(dataDirectory: data.path)
        try stores.properties.apply([.set(PropertyStoreConformanceTests.value("red"))], at: path("dir", "r"))
        let database = try DatabaseQueue(path: data.path + "/davdoctor.sqlite")
        try database.write { db in try db.execute(sql: "UPDATE dead_property SET value = '{\"broken\":'") }
        let reads: [() throws -> Void] = [
            { _ = try stores.properties.properties(at: path("dir", "r")) },
            { _ = try stores.properties.propertiesOfMembers(of: path("dir")) },
        ]
        for read in reads {
            let error = #expect(throws: DAVError.self) { try read() }
            #expect(error?.status == 500)
            #expect(error?.message.contains("/dir/r") == true)
            #expect(error?.message.contains("{urn:test}color") == true)
        }
    }
}
