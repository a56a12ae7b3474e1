import DAVCore
import HummingbirdTesting
import Testing

@testable import DAVServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Names a local user wrote in Latin-1 (the byte 0xE9 for é), which are not UTF-8: served as their bytes,
/// percent-encoded in hrefs, and carried whole through COPY, MOVE and DELETE of their collection.
struct NonUTF8NameTests {
    /// `latin/caf\xE9.txt` and `latin/d\xE8s/inner.txt` in a fresh served root.
    static func seed(_ root: String) throws {
        let latin = Array((root + "/latin").utf8)
        try #require(mkdir(cPath(latin), 0o755) == 0)
        try #require(mkdir(cPath(latin + Array("/d".utf8) + [0xE8] + Array("s".utf8)), 0o755) == 0)
        try writeFile(latin + Array("/caf".utf8) + [0xE9] + Array(".txt".utf8), "latin-1")
        try writeFile(latin + Array("/d".utf8) + [0xE8] + Array("s/inner.txt".utf8), "inner")
    }

    static func cPath(_ bytes: [UInt8]) -> [CChar] { bytes.map { CChar(bitPattern: $0) } + [0] }

    static func writeFile(_ path: [UInt8], _ content: String) throws {
        let fd = open(cPath(path), O_WRONLY | O_CREAT | O_EXCL, 0o644)
        try #require(fd >= 0)
        defer { close(fd) }
        let bytes = Array(content.utf8)
        try #require(write(fd, bytes, bytes.count) == bytes.count)
    }

    /// The content of a file named by bytes under `root`, nil when it is not there.
    static func contents(_ root: String, _ relative: [UInt8]) -> String? {
        let fd = open(cPath(Array(root.utf8) + relative), O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(fd, &buffer, buffer.count)
        return count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self)
    }

    static func exists(_ root: String, _ relative: String) -> Bool {
        var st = stat()
        return lstat(root + relative, &st) == 0
    }

    @Test func listedAndReadByTheirBytes() async throws {
        let fixture = try ServerFixture(.persistent, seed: false)
        try Self.seed(fixture.root.path)
        try await makeApp(fixture).test(.router) { client async throws in
            let listing = try await client.send("PROPFIND", "/latin/", headers: ["Depth": "1"], body: propfindAll)
            #expect(listing.code == 207)
            let hrefs = Set(try listing.multiStatus().responses.compactMap(\.href))
            #expect(hrefs == ["/latin/", "/latin/caf%E9.txt", "/latin/d%E8s/"])
            let file = try await client.send("GET", "/latin/caf%E9.txt")
            #expect(file.code == 200)
            #expect(file.text == "latin-1")
            #expect(try await client.send("GET", "/latin/d%E8s/inner.txt").text == "inner")
            #expect(try await client.send("GET", "/latin/caf%E8.txt").code == 404)
        }
    }

    @Test func copyMoveAndDeleteTheirCollection() async throws {
        let fixture = try ServerFixture(.persistent, seed: false)
        let root = fixture.root.path
        try Self.seed(root)
        try await makeApp(fixture).test(.router) { client async throws in
            #expect(try await client.send("COPY", "/latin/", headers: ["Destination": "/copied/"]).code == 201)
            #expect(Self.contents(root, Array("/copied/caf".utf8) + [0xE9] + Array(".txt".utf8)) == "latin-1")
            #expect(Self.contents(root, Array("/copied/d".utf8) + [0xE8] + Array("s/inner.txt".utf8)) == "inner")

            #expect(try await client.send("MOVE", "/copied/", headers: ["Destination": "/moved/"]).code == 201)
            #expect(Self.contents(root, Array("/moved/caf".utf8) + [0xE9] + Array(".txt".utf8)) == "latin-1")
            #expect(!Self.exists(root, "/copied"))

            #expect(try await client.send("DELETE", "/latin/").code == 204)
            #expect(!Self.exists(root, "/latin"))
            #expect(try await client.send("DELETE", "/moved/").code == 204)
            #expect(!Self.exists(root, "/moved"))
        }
    }

    @Test func storageListsThemAndRemovesTheirTree() throws {
        let fixture = try ServerFixture(.persistent, seed: false)
        try Self.seed(fixture.root.path)
        let storage = fixture.options.storage
        let names = try storage.memberNames(of: path("latin"))
        #expect(Set(names.map { path("latin", $0).href(isCollection: false) }) == ["/latin/caf%E9.txt", "/latin/d%E8s"])
        let file = try ResourcePath(encodedPath: "/latin/caf%E9.txt")
        #expect(try storage.info(at: file)?.size == 7)
        try storage.remove(path("latin"))
        #expect(!Self.exists(fixture.root.path, "/latin"))
    }
}
