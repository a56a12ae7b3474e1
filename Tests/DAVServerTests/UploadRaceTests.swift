import AsyncHTTPClient
import DAVCore
import DAVTesting
import Foundation
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import DAVServer

/// An upload whose body is still arriving while the tree or the locks change under it. A streamed body
/// (more than one piece) is held open until the server has begun writing it (its temporary file is on
/// disk), so the interleaving is certain, not left to timing. A body of one piece is checked only once it
/// is whole, so its outcome must be the same whenever its head reached the server.
struct UploadRaceTests {
    enum Body: CaseIterable, Sendable {
        case onePiece, streamed

        /// The part sent last: a few bytes, or enough to take the body over one piece.
        var rest: String { self == .onePiece ? "upload" : String(repeating: "u", count: DAVResponder.PendingChunks.batchBytes) }

        func waitUntilUnderWay(_ upload: SlowUpload, in directory: String) async throws {
            if self == .streamed { try await upload.waitUntilWriting(in: directory) }
        }
    }

    /// A PUT passed its lock check before the body; meanwhile another client locks the file and writes it.
    /// The late upload must be refused (423) and the locked content stay: no lost update under a held lock.
    @Test(arguments: Body.allCases)
    func anUploadUnderWayCannotOverwriteALockTakenMeanwhile(_ body: Body) async throws {
        try await withServer { fixture, client async throws in
            #expect(try await client.send("PUT", "/doc", text: "original").status == 201)
            let upload = SlowUpload(client, "/doc", first: "late ", rest: body.rest)
            try await body.waitUntilUnderWay(upload, in: fixture.root.path)
            let lock = try await client.send("LOCK", "/doc", headers: ["Depth": "0"], text: lockBody())
            #expect(lock.status == 200)
            let token = try #require(lock.headers.first(name: "Lock-Token"))
            #expect(try await client.send("PUT", "/doc", headers: ["If": "(\(token))"], text: "mine").status == 204)
            #expect(try await upload.finish(body.rest) == 423)
            #expect(try await client.send("GET", "/doc").text == "mine")
            #expect(try await client.send("UNLOCK", "/doc", headers: ["Lock-Token": token]).status == 204)
        }
    }

    /// The collection an upload goes into is moved away mid-body: the upload fails (409), and no temporary
    /// file is left (a streamed one, carried along by the move, is removed from the moved collection).
    @Test(arguments: Body.allCases)
    func anUploadWhoseCollectionMovesAwayLeavesNoTemporaryFile(_ body: Body) async throws {
        try await withServer { fixture, client async throws in
            #expect(try await client.send("MKCOL", "/dir").status == 201)
            let upload = SlowUpload(client, "/dir/file", first: "half ", rest: body.rest)
            try await body.waitUntilUnderWay(upload, in: fixture.root.path + "/dir")
            #expect(try await client.send("MOVE", "/dir", headers: ["Destination": client.destination("/moved")]).status == 201)
            #expect(try await upload.finish(body.rest) == 409)
            let left = try FileManager.default.subpathsOfDirectory(atPath: fixture.root.path)
            #expect(left == ["moved"])
        }
    }

    private func withServer(_ body: @escaping @Sendable (ServerFixture, WireClient) async throws -> Void) async throws {
        let fixture = try ServerFixture(.persistent, seed: false)
        let app = DAVServer.makeApplication(options: fixture.options, host: "127.0.0.1", port: 0, logger: Logger(label: "race"))
        try await app.test(.live) { testClient async throws in
            try await WireClient.with(port: try #require(testClient.port)) { client in try await body(fixture, client) }
        }
    }
}

/// A PUT whose body is sent in two parts: the first at once, the rest when the test says (or never).
struct SlowUpload {
    private let continuation: AsyncStream<ByteBuffer>.Continuation
    private let answer: Task<Int, any Error>

    init(_ client: WireClient, _ path: String, length: Int, first: [UInt8]) {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        var request = HTTPClientRequest(url: client.base + path)
        request.method = .PUT
        request.body = .stream(stream, length: .known(Int64(length)))
        continuation.yield(ByteBuffer(bytes: first))
        self.continuation = continuation
        let prepared = request
        answer = Task { try await client.execute(prepared).status }
    }

    init(_ client: WireClient, _ path: String, first: String, rest: String) {
        self.init(client, path, length: first.utf8.count + rest.utf8.count, first: Array(first.utf8))
    }

    /// Waits (a bounded number of polls) until a temporary upload file of at least `bytes` is in `directory`.
    func waitUntilWriting(in directory: String, bytes: Int = 0) async throws {
        for _ in 0..<800 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names where name.hasPrefix(FileSystemStorage.uploadPrefix) {
                let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int) ?? 0
                if size >= bytes { return }
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw Processes.Failure(description: "the server never began writing the upload")
    }

    /// Sends the rest of the body; returns the status.
    func finish(_ rest: String) async throws -> Int {
        continuation.yield(ByteBuffer(string: rest))
        continuation.finish()
        return try await answer.value
    }

    /// Gives up on the request (the server is gone); waits for the client to notice.
    func abandon() async {
        continuation.finish()
        _ = try? await answer.value
    }
}
