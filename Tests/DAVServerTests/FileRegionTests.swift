import Foundation
import HummingbirdTesting
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import DAVServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Large GET bodies sent from the file with sendfile(2) (``FileRegionHandoff``, ``FileRegionWriter``): over a
/// real socket the client gets exactly the file's bytes, ranges included, and never a marker; files are
/// closed whatever happens to the connection; a file that shrinks under its response ends the connection
/// instead of leaving the client waiting.
struct FileRegionTests {
    /// Bytes that no two offsets of a file share by accident: a shifted slice would not compare equal.
    static func content(_ count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    /// Descriptors of this process open on `path` (through /proc/self/fd).
    static func openDescriptors(on path: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) == path }.count
    }

    /// Waits up to `seconds` for `condition`; whether it came true.
    static func eventually(within seconds: Double = 10, _ condition: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test func largeGetSendsTheFilesBytesAndNoMarker() async throws {
        let sandbox = try HostileSandbox()
        let bytes = Self.content((3 << 20) + 17)
        let file = sandbox.root + "/big.bin"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let handoff = sandbox.options.fileRegions
        try await sandbox.serve { port, _ in
            let answer = try #require(try await rawExchange(port: port, rawRequest("GET", "/big.bin")))
            #expect(answer.status == 200)
            #expect(answer.header("Content-Length") == String(bytes.count))
            #expect(answer.body.count == bytes.count)
            #expect(answer.body == bytes, "the body is not the file's bytes")
            #expect(answer.body.firstRange(of: handoff.secret) == nil, "a marker reached the client")
            #expect(handoff.regionsSent == 1, "the body did not go out as a file region")
            // HEAD keeps answering with the head alone and files nothing.
            let head = try #require(try await rawExchange(port: port, rawRequest("HEAD", "/big.bin")))
            #expect(head.status == 200 && head.header("Content-Length") == String(bytes.count) && head.body.isEmpty)
            #expect(handoff.regionsSent == 1)
            #expect(try await Self.eventually { handoff.pendingCount == 0 && Self.openDescriptors(on: file) == 0 })
        }
    }

    @Test func rangeOfALargeFileIsTheRightSlice() async throws {
        let sandbox = try HostileSandbox()
        let bytes = Self.content(2 << 20)
        try Data(bytes).write(to: URL(fileURLWithPath: sandbox.root + "/big.bin"))
        let handoff = sandbox.options.fileRegions
        try await sandbox.serve { port, _ in
            let (first, last) = (1000, 1_500_999)
            let range = rawRequest("GET", "/big.bin", headers: [("Range", "bytes=\(first)-\(last)")])
            let answer = try #require(try await rawExchange(port: port, range))
            #expect(answer.status == 206)
            #expect(answer.header("Content-Range") == "bytes \(first)-\(last)/\(bytes.count)")
            #expect(answer.body == Array(bytes[first...last]), "the body is not the range's bytes")
            let suffix = try #require(try await rawExchange(port: port, rawRequest("GET", "/big.bin", headers: [("Range", "bytes=-300000")])))
            #expect(suffix.status == 206)
            #expect(suffix.body == Array(bytes.suffix(300_000)))
            #expect(answer.body.firstRange(of: handoff.secret) == nil && suffix.body.firstRange(of: handoff.secret) == nil)
            #expect(handoff.regionsSent == 2)
        }
    }

    /// Keep-alive: a large body, then a small one and another large one on the same connection come out whole
    /// and in order.
    @Test func largeBodiesOnOneKeptAliveConnection() async throws {
        let sandbox = try HostileSandbox()
        let bytes = Self.content(1 << 20)
        try Data(bytes).write(to: URL(fileURLWithPath: sandbox.root + "/big.bin"))
        try await sandbox.serve { _, client in
            for _ in 0..<2 {
                let big = try await client.send("GET", "/big.bin")
                #expect(big.code == 200 && Array(buffer: big.body) == bytes)
                #expect(try await client.send("GET", "/canary.txt").text == "canary")
            }
            #expect(sandbox.options.fileRegions.regionsSent == 2)
        }
    }

    /// A client that goes away in the middle of a body leaves no file open and nothing filed.
    @Test func clientLeavingMidBodyLeavesNoFileOpen() async throws {
        let sandbox = try HostileSandbox()
        let file = sandbox.root + "/huge.bin"
        try Data(count: 64 << 20).write(to: URL(fileURLWithPath: file))
        let handoff = sandbox.options.fileRegions
        try await sandbox.serve { port, client in
            // The test client holds a connection of its own, opened once it is first used.
            #expect(try await client.send("GET", "/canary.txt").text == "canary")
            let before = handoff.openConnectionCount
            try await offThePool {
                for _ in 0..<3 {
                    let connection = try RawHTTPConnection(port: port, readTimeout: 20)
                    try connection.send(rawRequest("GET", "/huge.bin"))
                    _ = try connection.readSome()
                }  // each connection closed here, its body far from sent
            }
            #expect(try await Self.eventually { Self.openDescriptors(on: file) == 0 }, "a file stayed open after its client left")
            #expect(handoff.pendingCount == 0)
            #expect(try await Self.eventually { handoff.openConnectionCount == before })
        }
    }

    /// A file truncated while its body is on the way: the connection is closed (short of the announced
    /// length) instead of NIO retrying an empty sendfile for ever and the client waiting for ever. (Truncated
    /// before the region is written, the file is caught at once: ``fileShorterThanItsRegionClosesTheConnection``.)
    @Test func fileShrinkingUnderItsBodyEndsTheConnection() async throws {
        let sandbox = try HostileSandbox()
        let file = sandbox.root + "/shrinking.bin"
        let size = 64 << 20
        try Data(count: size).write(to: URL(fileURLWithPath: file))
        try await sandbox.serve { port, _ in
            let received = try await offThePool { () -> Int in
                let connection = try RawHTTPConnection(port: port, readTimeout: 20)
                try connection.send(rawRequest("GET", "/shrinking.bin"))
                // Body bytes only come from the file region: once some are in, its write is under way.
                var count = 0
                while count < 2 << 20 { count += try connection.readSome().count }
                guard truncate(file, 1 << 20) == 0 else { throw RawHTTPError("truncate failed: errno \(errno)") }
                count += try connection.readUntilClosed().count
                return count
            }
            #expect(received < size, "the whole file came although it was cut to 1 MiB")
            #expect(try await Self.eventually { Self.openDescriptors(on: file) == 0 })
            #expect(try await rawExchange(port: port, rawRequest("GET", "/canary.txt"))?.text == "canary")
        }
    }

    /// Large bodies of a storage that has no file to give keep going out as buffers.
    @Test func memoryStorageKeepsTheBufferedPath() async throws {
        let fixture = try ServerFixture(.memory)
        let bytes = Self.content(700 << 10)
        let writer = try fixture.options.storage.beginWrite(path("big.bin"))
        try writer.append(ByteBuffer(bytes: bytes))
        _ = try writer.commit()
        let app = DAVServer.makeApplication(options: fixture.options, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.live) { client in
            let answer = try await client.send("GET", "/big.bin")
            #expect(answer.code == 200 && Array(buffer: answer.body) == bytes)
        }
        #expect(fixture.options.fileRegions.regionsSent == 0)
    }

    // MARK: The writer alone, on an embedded channel

    /// A file on disk of `count` bytes, open through ``FileReader``.
    static func openFile(_ count: Int, in directory: TemporaryDirectory) throws -> FileReader? {
        let path = directory.path + "/file.bin"
        try Data(Self.content(count)).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        return FileReader(fd: fd)
    }

    @Test func markerBecomesItsFileRegion() throws {
        let directory = TemporaryDirectory()
        let handoff = FileRegionHandoff()
        let channel = EmbeddedChannel(handler: FileRegionWriter(handoff: handoff))
        var reader = try Self.openFile(1000, in: directory)
        weak let weakReader = reader
        let marker = try #require(handoff.marker(for: reader!, offset: 100, length: 800, on: channel))
        reader = nil  // the handoff holds the only reference now
        #expect(weakReader != nil)
        try channel.writeOutbound(IOData.byteBuffer(marker))
        let written = try #require(try channel.readOutbound(as: IOData.self))
        guard case .fileRegion(let region) = written else {
            Issue.record("the marker went out as \(written)")
            return
        }
        #expect(region.readerIndex == 100 && region.endIndex == 900)
        #expect(weakReader == nil, "the file stayed open after its region was written")
        #expect(handoff.pendingCount == 0 && handoff.regionsSent == 1)
        // Ordinary bytes of any length pass as they are.
        var data = ByteBuffer(bytes: Array(repeating: 7, count: FileRegionHandoff.markerLength))
        try channel.writeOutbound(IOData.byteBuffer(data))
        #expect(try channel.readOutbound(as: IOData.self) == .byteBuffer(data))
        data = ByteBuffer(bytes: handoff.secret)
        try channel.writeOutbound(IOData.byteBuffer(data))
        #expect(try channel.readOutbound(as: IOData.self) == .byteBuffer(data))
        _ = try channel.finish()
    }

    /// A copy of a marker (same bytes, other storage) is never sent: its connection is closed.
    @Test func copyOfAMarkerIsNeverSent() throws {
        let directory = TemporaryDirectory()
        let handoff = FileRegionHandoff()
        let channel = EmbeddedChannel(handler: FileRegionWriter(handoff: handoff))
        let reader = try #require(try Self.openFile(1000, in: directory))
        let marker = try #require(handoff.marker(for: reader, offset: 0, length: 1000, on: channel))
        let copy = ByteBuffer(bytes: Array(buffer: marker))
        #expect(throws: (any Error).self) { try channel.writeOutbound(IOData.byteBuffer(copy)) }
        #expect(try channel.readOutbound(as: IOData.self) == nil)
        #expect(!channel.isActive)
        channel.embeddedEventLoop.run()  // the closed pipeline's handlers are removed
        #expect(handoff.pendingCount == 0 && handoff.regionsSent == 0)
    }

    @Test func fileShorterThanItsRegionClosesTheConnection() throws {
        let directory = TemporaryDirectory()
        let handoff = FileRegionHandoff()
        let channel = EmbeddedChannel(handler: FileRegionWriter(handoff: handoff))
        var reader = try Self.openFile(1000, in: directory)
        weak let weakReader = reader
        let marker = try #require(handoff.marker(for: reader!, offset: 0, length: 5000, on: channel))
        reader = nil
        #expect(throws: FileRegionError.self) { try channel.writeOutbound(IOData.byteBuffer(marker)) }
        #expect(try channel.readOutbound(as: IOData.self) == nil)
        #expect(!channel.isActive)
        #expect(weakReader == nil && handoff.pendingCount == 0)
    }

    /// A connection that closes before its marker reaches the writer drops the entry and closes the file;
    /// a connection without the writer (or already closed) is refused a marker.
    @Test func closingTheConnectionDropsWhatItFiled() throws {
        let directory = TemporaryDirectory()
        let handoff = FileRegionHandoff()
        let channel = EmbeddedChannel(handler: FileRegionWriter(handoff: handoff))
        var reader = try Self.openFile(1000, in: directory)
        weak let weakReader = reader
        #expect(handoff.marker(for: reader!, offset: 0, length: 1000, on: channel) != nil)
        #expect(handoff.marker(for: reader!, offset: 0, length: 1000, on: EmbeddedChannel()) == nil)
        reader = nil
        #expect(handoff.pendingCount == 1 && weakReader != nil)
        _ = try channel.finish()
        #expect(handoff.pendingCount == 0 && handoff.openConnectionCount == 0)
        #expect(weakReader == nil, "the file stayed open after its connection closed")
        let late = try #require(try Self.openFile(10, in: directory))
        #expect(handoff.marker(for: late, offset: 0, length: 10, on: channel) == nil)
    }
}
