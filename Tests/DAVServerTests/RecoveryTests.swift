import DAVCore
import Foundation
import Testing

@testable import DAVServer

/// Start-up recovery on its own, from a state a crash can leave: an upload's temporary files, properties
/// and a lock of a resource that a cut DELETE removed from the tree but not from the stores.
struct RecoveryTests {
    @Test func startUpRemovesStaleUploadsAndWhatBelongsToNoResource() throws {
        let fixture = try ServerFixture(.persistent, seed: false)
        let options = fixture.options
        try ServerFixture.write(options.storage, path("kept"), "kept")
        try options.storage.makeCollection(at: path("dir"))
        for directory in [fixture.root.path, fixture.root.path + "/dir"] {
            try Data("partial".utf8).write(to: URL(fileURLWithPath: directory + "/" + FileSystemStorage.uploadPrefix + "stale"))
        }
        let value = XMLElement(QualifiedName("urn:x", "p"), children: [.text("v")])
        try options.properties.apply([.set(value)], at: path("kept"))
        try options.properties.apply([.set(value)], at: path("gone"))
        try options.properties.apply([.set(value)], at: path("dir", "gone"))
        let now = Date().timeIntervalSince1970
        try options.locks.create(LockConformanceTests.lock("urn:t:gone", path("gone"), deep: false, now: now), now: now)
        try options.locks.create(LockConformanceTests.lock("urn:t:kept", path("kept"), deep: false, now: now), now: now)

        let report = try DAVServer.recover(options, now: now)

        #expect(report.staleUploads == 2 && report.orphanProperties == 2 && report.orphanLocks == 1)
        #expect(try FileManager.default.subpathsOfDirectory(atPath: fixture.root.path).sorted() == ["dir", "kept"])
        #expect(try options.properties.paths() == [path("kept")])
        #expect(try options.locks.locks(covering: .root, descendants: true, now: now).map(\.token) == ["urn:t:kept"])
        #expect(try DAVServer.recover(options, now: now).isEmpty, "a second start finds nothing to do")
    }
}
