import DAVCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DAVServer

/// Listed members' responses are kept (``MemberResponseCache``) and used only while each member is what it
/// was: every listing answers byte for byte what a server keeping nothing answers, through rewrites,
/// renames, deletions, dead properties and locks; kept responses are really used; a Depth infinity walk
/// keeps nothing; memory stays under the capacity.
struct MemberResponseCacheTests {
    private static func app(_ responder: DAVResponder) -> some ApplicationProtocol {
        Application(responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    private static func listing(_ client: some TestClientProtocol, _ uri: String = "/docs/", depth: String = "1") async throws -> String {
        let response = try await client.send("PROPFIND", uri, headers: ["Depth": depth], body: propfindAll)
        #expect(response.code == 207)
        return response.text
    }

    private static func withoutLockSeconds(_ listing: String) -> String {
        listing.replacing(/<D:timeout>Second-\d+<\/D:timeout>/, with: "<D:timeout>Second-N</D:timeout>")
    }

    private static func keepingNothing(_ options: DAVServerOptions) -> DAVServerOptions {
        var options = options
        options.listingCacheBytes = 0
        return options
    }

    /// Copies of kept responses that say so: `<!--kept-->` before each one's tail.
    private static func marked(_ kept: [UInt64: MemberResponse]) -> [UInt64: MemberResponse] {
        kept.mapValues {
            MemberResponse(
                name: $0.name, stamp: $0.stamp, tail: Array("<!--kept-->".utf8) + $0.tail, isCollection: $0.isCollection,
                propertyCount: $0.propertyCount)
        }
    }

    /// A fixture whose `/docs/` holds twenty files and a folder.
    private static func fixture() throws -> ServerFixture {
        let fixture = try ServerFixture(.persistent, seed: false)
        let storage = fixture.options.storage
        try storage.makeCollection(at: path("docs"))
        try storage.makeCollection(at: path("docs", "folder"))
        for number in 0..<20 { try ServerFixture.write(storage, path("docs", "file-\(number).txt"), String(repeating: "x", count: number)) }
        return fixture
    }

    /// Both ways a folder is listed again: reading the directory (its times too recent to vouch for its
    /// names) and taking the kept names (every listing's names kept, as once its times have settled).
    @Test(arguments: [false, true])
    func everyListingEqualsTheUncachedServersThroughChanges(keepsNames: Bool) async throws {
        let fixture = try Self.fixture()
        if keepsNames { try #require(fixture.options.storage as? FileSystemStorage).listingSettledSeconds = -1_000_000 }
        let cached = DAVResponder(options: fixture.options)
        let uncached = DAVResponder(options: Self.keepingNothing(fixture.options))
        #expect(uncached.memberResponses.capacity == 0)
        let root = fixture.root.path + "/docs/"
        let lock = #"<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>"#
        try await Self.app(cached).test(.router) { client async throws in
            try await Self.app(uncached).test(.router) { reference async throws in
                func same(_ step: String) async throws {
                    // A lock's remaining seconds count down between the two listings: they are not compared.
                    let got = Self.withoutLockSeconds(try await Self.listing(client))
                    let expected = Self.withoutLockSeconds(try await Self.listing(reference))
                    #expect(got == expected, "after \(step)")
                }
                try await same("the first listing")
                #expect(cached.memberResponses.bytes > 0)
                try await same("nothing")
                // Same size, a later modification time; another size; a rename; a deletion; a new file.
                try await Task.sleep(for: .milliseconds(20))
                try ServerFixture.write(fixture.options.storage, path("docs", "file-1.txt"), "y")
                try ServerFixture.write(fixture.options.storage, path("docs", "file-2.txt"), "longer than before")
                try FileManager.default.moveItem(atPath: root + "file-3.txt", toPath: root + "renamed.txt")
                try FileManager.default.removeItem(atPath: root + "file-4.txt")
                try ServerFixture.write(fixture.options.storage, path("docs", "new.txt"), "new")
                try await same("rewrites, a rename, a deletion and a new file")
                try await Task.sleep(for: .milliseconds(20))
                // A change of the inode alone (its change time): a new hard link.
                try FileManager.default.linkItem(atPath: root + "file-5.txt", toPath: fixture.root.path + "/link-to-5")
                try await same("a new link")
                let patch =
                    #"<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x:color xmlns:x="urn:x">red</x:color></D:prop></D:set></D:propertyupdate>"#
                #expect(try await client.send("PROPPATCH", "/docs/file-6.txt", body: patch).code == 207)
                try await same("a dead property")
                let remove = #"<D:propertyupdate xmlns:D="DAV:"><D:remove><D:prop><x:color xmlns:x="urn:x"/></D:prop></D:remove></D:propertyupdate>"#
                #expect(try await client.send("PROPPATCH", "/docs/file-6.txt", body: remove).code == 207)
                try await same("the dead property removed")
                let locked = try await client.send("LOCK", "/docs/file-7.txt", headers: ["Depth": "0"], body: lock)
                #expect(locked.code == 200)
                let listedWithLock = try await Self.listing(client)
                #expect(listedWithLock.contains("<D:activelock>"))
                #expect(Self.withoutLockSeconds(listedWithLock).contains("<D:timeout>Second-N</D:timeout>"))
                try await same("a lock")
                let token = try #require(locked.header("Lock-Token"))
                #expect(try await client.send("UNLOCK", "/docs/file-7.txt", headers: ["Lock-Token": token]).code == 204)
                try await same("the lock released")
                // A folder removed and made again under its name.
                try await Task.sleep(for: .milliseconds(20))
                try FileManager.default.removeItem(atPath: root + "folder")
                try FileManager.default.createDirectory(atPath: root + "folder", withIntermediateDirectories: false)
                try await same("a folder made again")
            }
        }
    }

    /// Kept responses are what a second listing writes: replaced by marked copies, they come back marked,
    /// except for the members that changed since, which are written afresh.
    @Test func keptResponsesAreUsedOnlyWhileTheMemberIsUnchanged() async throws {
        let fixture = try Self.fixture()
        let responder = DAVResponder(options: fixture.options)
        let storage = try #require(fixture.options.storage as? FileSystemStorage)
        let directory = try FileSystemStorage.DirectoryIterator(storage: storage, path: path("docs")).directory
        let root = fixture.root.path + "/docs/"
        try await Self.app(responder).test(.router) { client async throws in
            _ = try await Self.listing(client)
            let kept = responder.memberResponses.kept(directory).members
            #expect(kept.count == 21)
            responder.memberResponses.store(Self.marked(kept), of: directory)
            #expect(try await Self.listing(client).components(separatedBy: "<!--kept-->").count - 1 == 21)

            try await Task.sleep(for: .milliseconds(20))
            try ServerFixture.write(fixture.options.storage, path("docs", "file-8.txt"), "changed")
            try FileManager.default.moveItem(atPath: root + "file-9.txt", toPath: root + "file-9-renamed.txt")
            _ = chmod(root + "file-10.txt", 0o600)
            let after = try await Self.listing(client)
            #expect(after.components(separatedBy: "<!--kept-->").count - 1 == 18)
            for name in ["file-8.txt", "file-9-renamed.txt", "file-10.txt"] {
                #expect(after.contains("<D:href>/docs/\(name)</D:href>"), "\(name) is written afresh, unmarked")
            }
            #expect(!after.contains("file-9.txt<"))
        }
    }

    /// A folder whose members carry dead properties (Windows clients set several on every file they write)
    /// is listed from kept responses too: the live part is kept, the dead properties are written from the
    /// store on every listing, and the answer equals, byte for byte, the general path's (an `allprop` that
    /// includes a property it already has, which only the general path answers), before and after a
    /// property changes, for Depth 1 and infinity.
    @Test func deadPropertiesAreWrittenAfterKeptResponses() async throws {
        let fixture = try Self.fixture()
        let responder = DAVResponder(options: fixture.options)
        let storage = try #require(fixture.options.storage as? FileSystemStorage)
        let directory = try FileSystemStorage.DirectoryIterator(storage: storage, path: path("docs")).directory
        let general = #"<D:propfind xmlns:D="DAV:"><D:allprop/><D:include><D:getetag/></D:include></D:propfind>"#
        @Sendable func win32(_ attributes: String, extra: String = "") -> String {
            """
            <D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop>\
            <Z:Win32FileAttributes>\(attributes)</Z:Win32FileAttributes>\
            <Z:Win32LastModifiedTime>Sat, 05 Dec 2026 18:00:00 GMT</Z:Win32LastModifiedTime>\(extra)\
            </D:prop></D:set></D:propertyupdate>
            """
        }
        try await Self.app(responder).test(.router) { client async throws in
            for number in 0..<10 {
                // Every other one with a second namespace, whose prefix the document chooses as it goes.
                let extra = number.isMultiple(of: 2) ? #"<x:color xmlns:x="urn:x">red &amp; <b/></x:color>"# : ""
                #expect(try await client.send("PROPPATCH", "/docs/file-\(number).txt", body: win32("00000020", extra: extra)).code == 207)
            }
            #expect(try await client.send("PROPPATCH", "/docs/folder/", body: win32("00000010")).code == 207)
            func same(_ step: String, depth: String = "1") async throws {
                let expected = try await client.send("PROPFIND", "/docs/", headers: ["Depth": depth], body: general)
                #expect(try await Self.listing(client, depth: depth) == expected.text, "\(step), Depth \(depth)")
            }
            try await same("the first listing")
            #expect(responder.memberResponses.kept(directory).members.count == 21)
            try await same("the second listing")
            try await same("a walk", depth: "infinity")

            let kept = responder.memberResponses.kept(directory).members
            responder.memberResponses.store(Self.marked(kept), of: directory)
            let fromKept = try await Self.listing(client)
            #expect(fromKept.components(separatedBy: "<!--kept-->").count - 1 == 21)
            #expect(fromKept.components(separatedBy: "00000020</ns").count - 1 == 10)
            #expect(fromKept.components(separatedBy: "00000010</ns").count - 1 == 1)
            responder.memberResponses.store(kept, of: directory)

            #expect(try await client.send("PROPPATCH", "/docs/file-3.txt", body: win32("00000021")).code == 207)
            try await same("a dead property changed")
            #expect(try await Self.listing(client).contains("00000021</ns"))
        }
    }

    /// Once a folder's times have settled, its names are kept, and the next listing under the same times
    /// takes them instead of reading the directory: a kept list of five names lists five members. Any
    /// change of the folder's entries moves its times, and the directory is read again.
    @Test func keptNamesStandInForReadingTheDirectory() async throws {
        let fixture = try Self.fixture()
        let responder = DAVResponder(options: fixture.options)
        let storage = try #require(fixture.options.storage as? FileSystemStorage)
        storage.listingSettledSeconds = -1_000_000
        let directory = try FileSystemStorage.DirectoryIterator(storage: storage, path: path("docs")).directory
        try await Self.app(responder).test(.router) { client async throws in
            _ = try await Self.listing(client)
            let kept = responder.memberResponses.kept(directory)
            let names = try #require(kept.names)
            #expect(names.count == 21)
            var firstFive: [[UInt8]] = []
            for index in 0..<5 { firstFive.append(names.withName(at: index) { name, _ in Array(name) }) }
            responder.memberResponses.store(kept.members, names: ListedNames(stamp: names.stamp, names: firstFive), of: directory)
            let fromKeptNames = try await Self.listing(client)
            #expect(fromKeptNames.components(separatedBy: "<D:response>").count - 1 == 1 + 5)

            try await Task.sleep(for: .milliseconds(20))
            try ServerFixture.write(fixture.options.storage, path("docs", "new.txt"), "new")
            let afterAChange = try await Self.listing(client)
            #expect(afterAChange.components(separatedBy: "<D:response>").count - 1 == 1 + 22)
            #expect(afterAChange.contains("<D:href>/docs/new.txt</D:href>"))
            #expect(responder.memberResponses.kept(directory).names?.count == 22)
        }
    }

    /// A folder whose times are younger than the settled window when it is read keeps its members'
    /// responses but not its names: an entry added later in the same clock tick would leave the times as
    /// they were. (The window is made an hour here, so that a slow machine cannot settle the new folder
    /// before it is listed; the default's arithmetic is checked on stamps.)
    @Test func namesAreKeptOnlyUnderSettledTimes() async throws {
        let fixture = try Self.fixture()
        let responder = DAVResponder(options: fixture.options)
        let storage = try #require(fixture.options.storage as? FileSystemStorage)
        storage.listingSettledSeconds = 3_600
        let directory = try FileSystemStorage.DirectoryIterator(storage: storage, path: path("docs")).directory
        try await Self.app(responder).test(.router) { client async throws in
            _ = try await Self.listing(client)
            #expect(responder.memberResponses.kept(directory).members.count == 21)
            #expect(responder.memberResponses.kept(directory).names == nil)
        }
        var st = stat()
        st.st_mtim.tv_sec = 1_000
        st.st_ctim.tv_sec = 1_000
        let stamp = DirectoryStamp(st)
        #expect(!stamp.isSettled(readStarted: timespec(tv_sec: 1_002, tv_nsec: 999_999_999)))
        #expect(stamp.isSettled(readStarted: timespec(tv_sec: 1_000 + DirectoryStamp.settledSeconds, tv_nsec: 0)))
        st.st_ctim.tv_sec = 1_001
        #expect(!DirectoryStamp(st).isSettled(readStarted: timespec(tv_sec: 1_000 + DirectoryStamp.settledSeconds, tv_nsec: 0)))
        // Devices: a disk partition (254:1, 259:3 as NVMe numbers it) vouches; an anonymous device (0:42, as
        // NFS, FUSE, overlays, tmpfs get) does not.
        #expect(FileSystemStorage.stampsTimesHere(device: 254 << 8 | 1))
        #expect(FileSystemStorage.stampsTimesHere(device: 259 << 8 | 3))
        #expect(!FileSystemStorage.stampsTimesHere(device: 42))
    }

    /// A walk of the whole tree reads kept responses but keeps none of its own.
    @Test func aDepthInfinityWalkKeepsNothing() async throws {
        let fixture = try Self.fixture()
        let responder = DAVResponder(options: fixture.options)
        let plain = Self.keepingNothing(fixture.options)
        try await Self.app(responder).test(.router) { client async throws in
            try await Self.app(DAVResponder(options: plain)).test(.router) { reference async throws in
                let walk = try await Self.listing(client, "/", depth: "infinity")
                #expect(responder.memberResponses.bytes == 0)
                #expect(walk == (try await Self.listing(reference, "/", depth: "infinity")))
                _ = try await Self.listing(client)
                let kept = responder.memberResponses.bytes
                #expect(kept > 0)
                #expect(try await Self.listing(client, "/", depth: "infinity") == walk)
                #expect(responder.memberResponses.bytes == kept)
            }
        }
    }

    /// Folders beyond the capacity push out the least recently listed; one folder larger than a quarter of
    /// it is not kept at all.
    @Test func memoryStaysUnderTheCapacity() throws {
        let cache = MemberResponseCache(capacity: 2_100)
        func folder(_ count: Int, tail: Int = 40) -> [UInt64: MemberResponse] {
            var members: [UInt64: MemberResponse] = [:]
            var st = stat()
            for number in 0..<count {
                st.st_ino = ino_t(number + 1)
                members[UInt64(number + 1)] = MemberResponse(
                    name: Array("n\(number)".utf8), stamp: StatStamp(st), tail: [UInt8](repeating: 0x41, count: tail), isCollection: false,
                    propertyCount: 8)
            }
            return members
        }
        let keys = (1...6).map { DirectoryKey(device: 1, inode: UInt64($0)) }
        for key in keys.prefix(4) { cache.store(folder(3), of: key) }
        #expect(cache.bytes <= 2_100)
        _ = cache.kept(keys[0]).members
        cache.store(folder(3), of: keys[4])
        #expect(cache.bytes <= 2_100)
        #expect(cache.kept(keys[0]).members.count == 3, "the folder listed last is kept")
        #expect(cache.kept(keys[1]).members.isEmpty, "the least recently listed is gone")
        cache.store(folder(5), of: keys[5])
        #expect(cache.kept(keys[5]).members.isEmpty, "more than a quarter of the capacity is not kept")
        cache.store(folder(3), of: keys[0])
        #expect(cache.kept(keys[0]).members.count == 3)
        #expect(cache.bytes <= 2_100)
        #expect(MemberResponseCache(capacity: 0).kept(keys[0]).members.isEmpty)
    }

    @Test func theLimitIsConfigured() throws {
        var options = DAVServerOptions(storage: MemoryStorage())
        #expect(options.listingCacheBytes == 16 << 20)
        try options.apply(try ServerLimitsTests.limits("{listingCacheMiB: 0}"))
        #expect(options.listingCacheBytes == 0)
        try options.apply(try ServerLimitsTests.limits("{listingCacheMiB: 3}"))
        #expect(options.listingCacheBytes == 3 << 20)
        #expect(throws: DAVServerOptions.InvalidLimit.self) { try options.apply(try ServerLimitsTests.limits("{listingCacheMiB: -1}")) }
        #expect(options.listingCacheBytes == 3 << 20)
    }
}
