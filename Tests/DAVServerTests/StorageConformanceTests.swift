import DAVCore
import HummingbirdTesting
import NIOCore
import Testing

@testable import DAVServer

/// One suite, both storages (x/net/webdav's `testFS(t, Dir(…))` and `testFS(t, NewMemFS())`).
struct StorageConformanceTests {
    @Test(arguments: Backend.allCases)
    func hostileNamesRoundTrip(_ backend: Backend) throws {
        let fixture = try ServerFixture(backend)
        let storage = fixture.options.storage
        for (segments, content) in HostileNames.files {
            let resource = ResourcePath(segments: segments)
            #expect(try ServerFixture.read(storage, resource) == content, "\(resource)")
        }
        let names = Set(try storage.memberNames(of: .root).map { Array($0.utf8) })
        #expect(names.contains(Array(HostileNames.nfc.utf8)))
        #expect(names.contains(Array(HostileNames.nfd.utf8)))
        #expect(names.count == HostileNames.files.count)  // 8 files at the root + "sub dir"
    }

    @Test(arguments: Backend.allCases)
    func infoAndETags(_ backend: Backend) throws {
        let fixture = try ServerFixture(backend, seed: false)
        let storage = fixture.options.storage
        #expect(try storage.info(at: path("missing")) == nil)
        let root = try #require(try storage.info(at: .root))
        #expect(root.isCollection)
        let first = try ServerFixture.write(storage, path("f.txt"), "one")
        #expect(first.size == 3 && !first.isCollection)
        let second = try ServerFixture.write(storage, path("f.txt"), "three")
        #expect(second.etag != first.etag)
        #expect(try storage.info(at: path("f.txt"))?.etag == second.etag)
    }

    @Test(arguments: Backend.allCases)
    func abortedWriteKeepsOldContent(_ backend: Backend) throws {
        let fixture = try ServerFixture(backend, seed: false)
        let storage = fixture.options.storage
        try ServerFixture.write(storage, path("keep.txt"), "old")
        let writer = try storage.beginWrite(path("keep.txt"))
        try writer.append(ByteBuffer(string: "new but cut"))
        writer.abort()
        #expect(try ServerFixture.read(storage, path("keep.txt")) == "old")
        #expect(try storage.memberNames(of: .root) == ["keep.txt"])
    }

    @Test(arguments: Backend.allCases)
    func collectionsCopyMoveRemove(_ backend: Backend) throws {
        let fixture = try ServerFixture(backend)
        let storage = fixture.options.storage
        #expect(throws: DAVError.self) { try storage.makeCollection(at: path("no", "parent")) }
        #expect(throws: DAVError.self) { try storage.beginWrite(path("no", "parent.txt")) }

        try storage.copy(from: path("sub dir"), to: path("shallow"), recursive: false)
        #expect(try storage.memberNames(of: path("shallow")).isEmpty)
        try storage.copy(from: path("sub dir"), to: path("deep"), recursive: true)
        #expect(try ServerFixture.read(storage, path("deep", "nested.txt")) == "nested")

        try storage.move(from: path("deep"), to: path("moved"))
        #expect(try storage.info(at: path("deep")) == nil)
        #expect(try ServerFixture.read(storage, path("moved", "nested.txt")) == "nested")

        try storage.remove(path("moved"))
        #expect(try storage.info(at: path("moved")) == nil)
        #expect(try storage.info(at: path("moved", "nested.txt")) == nil)
        #expect(throws: DAVError.self) { try storage.remove(.root) }
    }

    @Test(arguments: Backend.allCases)
    func membersListAndIterateAlike(_ backend: Backend) throws {
        let fixture = try ServerFixture(backend)
        let storage = fixture.options.storage
        let listed = try storage.allMembers(of: .root)
        #expect(Set(listed.map(\.path)) == Set(try storage.memberNames(of: .root).map { ResourcePath.root.appending($0) }))
        #expect(listed.first { $0.path == path("sub dir") }?.isCollection == true)
        #expect(listed.first { $0.path == path("plain.txt") }?.size == 5)
    }

    @Test(arguments: Backend.allCases)
    func rangedReads(_ backend: Backend) throws {
        let fixture = try ServerFixture(backend, seed: false)
        let storage = fixture.options.storage
        try ServerFixture.write(storage, path("r.txt"), "0123456789")
        var buffer = ByteBuffer()
        #expect(try storage.openForReading(path("r.txt")).read(offset: 3, length: 4, into: &buffer) == 4)
        #expect(String(buffer: buffer) == "3456")
        var tail = ByteBuffer()
        #expect(try storage.openForReading(path("r.txt")).read(offset: 8, length: 100, into: &tail) == 2)
    }

    /// A GET streams from the reader it opened: an upload that replaces the file meanwhile must not change
    /// the bytes under it (the file system keeps the renamed-over file; the memory store its old array).
    @Test(arguments: Backend.allCases)
    func anOpenReaderKeepsWhatItOpened(_ backend: Backend) throws {
        let fixture = try ServerFixture(backend, seed: false)
        let storage = fixture.options.storage
        try ServerFixture.write(storage, path("r.txt"), "old content")
        let reader = try storage.openForReading(path("r.txt"))
        try ServerFixture.write(storage, path("r.txt"), "new")
        var buffer = ByteBuffer()
        #expect(try reader.read(offset: 0, length: 100, into: &buffer) == 11)
        #expect(String(buffer: buffer) == "old content")
        #expect(throws: DAVError.self) { try storage.openForReading(path("missing.txt")) }
    }
}

#if canImport(Glibc)
    import Glibc

    /// Symbolic links: followed inside the root, refused when they lead out (file system only).
    struct SymlinkTests {
        @Test func linksOutOfTheRootAreRefused() throws {
            let fixture = try ServerFixture(.persistent, seed: false)
            let outside = TemporaryDirectory()
            _ = FileManager.default.createFile(atPath: outside.path + "/secret.txt", contents: Array("secret".utf8).withUnsafeBytes { Data($0) })
            try FileManager.default.createSymbolicLink(atPath: fixture.root.path + "/escape", withDestinationPath: outside.path)
            try FileManager.default.createSymbolicLink(atPath: fixture.root.path + "/escape.txt", withDestinationPath: outside.path + "/secret.txt")
            try FileManager.default.createDirectory(atPath: fixture.root.path + "/inside", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: fixture.root.path + "/alias", withDestinationPath: fixture.root.path + "/inside")
            let storage = fixture.options.storage
            #expect(throws: DAVError.self) { try storage.info(at: path("escape")) }
            #expect(throws: DAVError.self) { try storage.info(at: path("escape", "secret.txt")) }
            #expect(throws: DAVError.self) { try storage.info(at: path("escape.txt")) }
            #expect(try storage.info(at: path("alias"))?.isCollection == true)
            #expect(try !storage.allMembers(of: .root).map(\.path).contains(path("escape")))
        }

        @Test func linksNeitherLoopNorSmuggleOnCopyAndWalk() async throws {
            let fixture = try ServerFixture(.persistent, seed: false)
            let outside = TemporaryDirectory()
            _ = FileManager.default.createFile(atPath: outside.path + "/secret.txt", contents: Data("secret".utf8))
            let dir = fixture.root.path + "/dir"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: dir + "/file.txt", contents: Data("file".utf8))
            try FileManager.default.createSymbolicLink(atPath: dir + "/loop", withDestinationPath: dir)
            try FileManager.default.createSymbolicLink(atPath: dir + "/out", withDestinationPath: outside.path)
            let storage = fixture.options.storage
            var visited: [ResourcePath] = []
            try storage.walk(.root) { info in
                visited.append(info.path)
                return true
            }
            #expect(Set(visited) == [path("dir"), path("dir", "file.txt"), path("dir", "loop")])
            try storage.copy(from: path("dir"), to: path("copy"), recursive: true)
            #expect(try ServerFixture.read(storage, path("copy", "file.txt")) == "file")
            #expect(try storage.info(at: path("copy", "loop"))?.isCollection == true)
            #expect(try storage.allMembers(of: path("copy", "loop")).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: fixture.root.path + "/copy/out"))

            try await makeApp(fixture).test(.router) { client async throws in
                let listing = try await client.send("PROPFIND", "/", headers: ["Depth": "infinity"])
                #expect(listing.code == 207)
                #expect(try listing.multiStatus().responses.count == 7)  // /, dir, file, loop, copy, copy/file, copy/loop
            }
        }
    }

    import Foundation
#endif
