import Foundation

/// One torture client: a bounded number of seeded-random operations on a small set of overlapping paths.
///
/// Inside a locked session it checks what an exclusive lock promises: its own write succeeds, a write or
/// PROPPATCH without the token is 423, and what it reads back is exactly what it wrote (no lost update).
struct TortureClient {
    static let files = ["/f0", "/f1", "/f2", "/c0/m0", "/c0/m1", "/c1/m0", "/c1/m1", "/c2/m0"]
    static let collections = ["/c0", "/c1", "/c2"]
    static let allPaths = files + collections
    static let propertyNamespace = "urn:davdoctor:torture"

    let number: Int
    let client: WireClient
    let ledger: TortureLedger
    var random: SeededGenerator

    init(number: Int, seed: UInt64, client: WireClient, ledger: TortureLedger) {
        self.number = number
        self.client = client
        self.ledger = ledger
        random = SeededGenerator(seed: seed &+ UInt64(number))
    }

    mutating func run(operations: Int) async throws {
        for step in 0..<operations {
            let roll = Int.random(in: 0..<100, using: &random)
            switch roll {
            case 0..<25: try await put(step)
            case 25..<40: try await lockedSession(step, keep: false)
            case 40..<52: try await copyOrMove(isMove: true)
            case 52..<64: try await copyOrMove(isMove: false)
            case 64..<72: try await delete()
            case 72..<80: try await mkcol()
            default: try await proppatch(step)
            }
        }
        // The last session keeps its lock, so the invariants are checked with locks held.
        for attempt in 0..<10 {
            if try await lockedSession(operations + attempt, keep: true) { break }
        }
    }

    private mutating func pick(_ paths: [String]) -> String { paths.randomElement(using: &random)! }

    /// A content no other write produces, 1 to 48 KiB, so bodies arrive in several chunks.
    private mutating func content(_ step: Int) -> [UInt8] {
        let line = Array("client \(number) step \(step) \(random.next())\n".utf8)
        let size = Int.random(in: 1...48, using: &random) << 10
        var bytes: [UInt8] = []
        while bytes.count < size { bytes += line }
        return bytes
    }

    private mutating func put(_ step: Int) async throws {
        let body = content(step)
        ledger.wrote(body)
        let answer = try await client.send("PUT", pick(Self.files), body: body)
        ledger.expect(answer, in: [201, 204, 405, 409, 423], "PUT")
    }

    private mutating func copyOrMove(isMove: Bool) async throws {
        let source = pick(Self.allPaths)
        let target = pick(Self.allPaths)
        let answer = try await client.send(isMove ? "MOVE" : "COPY", source, headers: ["Destination": client.destination(target)])
        ledger.expect(answer, in: [201, 204, 403, 404, 409, 423], isMove ? "MOVE" : "COPY")
    }

    private mutating func delete() async throws {
        let answer = try await client.send("DELETE", pick(Self.allPaths))
        ledger.expect(answer, in: [204, 207, 404, 423], "DELETE")
    }

    private mutating func mkcol() async throws {
        let answer = try await client.send("MKCOL", pick(Self.collections))
        ledger.expect(answer, in: [201, 405, 409, 423], "MKCOL")
    }

    private mutating func proppatch(_ step: Int) async throws {
        let answer = try await client.send(
            "PROPPATCH", pick(Self.allPaths), text: Self.propertyUpdate("p\(step % 4)", "client \(number) step \(step)"))
        ledger.expect(answer, in: [207, 404, 423], "PROPPATCH")
    }

    static func propertyUpdate(_ name: String, _ value: String) -> String {
        #"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:T="\#(propertyNamespace)"><D:set><D:prop><T:\#(name)>\#(value)</T:\#(name)></D:prop></D:set></D:propertyupdate>"#
    }

    /// LOCK, write under the token, try to write without it, read back, and UNLOCK unless `keep`.
    /// Returns whether a lock was granted.
    @discardableResult
    private mutating func lockedSession(_ step: Int, keep: Bool) async throws -> Bool {
        let root = pick(Self.allPaths)
        let isCollectionPath = Self.collections.contains(root)
        let lock = try await client.send(
            "LOCK", root, headers: ["Depth": isCollectionPath ? "infinity" : "0", "Timeout": "Second-600"], text: lockBody())
        ledger.expect(lock, in: [200, 201, 409, 423], "LOCK")
        guard lock.status == 200 || lock.status == 201, let header = lock.headers.first(name: "Lock-Token") else { return false }
        let token = String(header.dropFirst().dropLast())
        let file = isCollectionPath ? root + "/m0" : root
        let mine = content(step)
        ledger.wrote(mine)
        let withToken = try await client.send("PUT", file, headers: ["If": "(<\(token)>)"], body: mine)
        // 405/409: another client turned the locked path into a collection (or a file) before we locked it.
        ledger.expect(withToken, in: [201, 204, 405, 409], "PUT with the lock token")
        if withToken.status == 201 || withToken.status == 204 {
            let intruder = content(step + 1_000_000)
            ledger.wrote(intruder)
            let without = try await client.send("PUT", file, body: intruder)
            if without.status != 423 { ledger.fail("PUT without the token on a locked resource answered \(without.status), not 423") }
            let patch = try await client.send("PROPPATCH", file, text: Self.propertyUpdate("intruder", "x"))
            if patch.status != 423 { ledger.fail("PROPPATCH without the token on a locked resource answered \(patch.status), not 423") }
            let ours = try await client.send(
                "PROPPATCH", file, headers: ["If": "(<\(token)>)"], text: Self.propertyUpdate("owner", "client \(number)"))
            if ours.status != 207 { ledger.fail("PROPPATCH with the lock token answered \(ours.status), not 207") }
            let read = try await client.send("GET", file)
            if read.body != mine {
                ledger.fail("lost update under a held lock on \(file): read \(read.body.count) bytes that are not what was written")
            }
            if keep { ledger.keep(.init(root: root, token: token, file: file, content: mine)) }
        }
        if !keep || !(withToken.status == 201 || withToken.status == 204) {
            let unlock = try await client.send("UNLOCK", root, headers: ["Lock-Token": "<\(token)>"])
            ledger.expect(unlock, in: [204], "UNLOCK")
            return false
        }
        return true
    }
}
