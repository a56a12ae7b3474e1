import Testing

@testable import DAVCore

/// A name refused for the limit leaves no trace: asked again, it is refused again, and every id handed
/// out turns back into a name (a long-lived reader keeps its table across documents).
struct XMLNameTableTests {
    static func local(_ table: XMLNameTable, _ text: String) throws -> Int32 {
        var text = text
        return try text.withUTF8 { try table.nameID(namespace: 0, local: UnsafeRawBufferPointer($0)) }
    }

    static func namespace(_ table: XMLNameTable, _ uri: String) throws -> Int32 {
        var uri = uri
        return try uri.withUTF8 { try table.namespaceID(bytes: UnsafeRawBufferPointer($0)) }
    }

    @Test func aNameOverTheLimitIsRefusedEveryTime() throws {
        let table = XMLNameTable(maxDistinctNames: 2)
        let a = try Self.local(table, "a")
        #expect(try Self.local(table, "b") != a)
        for _ in 0..<2 {
            let error = #expect(throws: DAVCoreError.self) { try Self.local(table, "c") }
            #expect(error?.code == .limitExceeded)
        }
        #expect(table.count == 2)
        #expect(try Self.local(table, "a") == a)
        #expect(table.name(a) == QualifiedName("", "a"))
    }

    @Test func aNamespaceOverTheLimitIsRefusedEveryTime() throws {
        let table = XMLNameTable(maxDistinctNames: 2)  // "" is the first
        let dav = try Self.namespace(table, "DAV:")
        for _ in 0..<2 {
            let error = #expect(throws: DAVCoreError.self) { try Self.namespace(table, "urn:x") }
            #expect(error?.code == .limitExceeded)
        }
        #expect(table.namespaces == ["", "DAV:"])
        #expect(try Self.namespace(table, "DAV:") == dav)
    }
}
