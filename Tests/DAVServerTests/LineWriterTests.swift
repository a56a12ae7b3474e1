import Foundation
import Testing

@testable import DAVServer

/// The access log's writer: lines from concurrent requests arrive whole and in each request's order, and a
/// disk (here a pipe) that stops taking them never stalls the requests.
struct LineWriterTests {
    @Test func concurrentLinesArriveWholeAndInOrder() async throws {
        let path = NSTemporaryDirectory() + "davdoctor-linewriter-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let writer = LineWriter(handle: handle, name: path)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<250 { writer.append(Array("{\"task\":\(task),\"n\":\(index)}\n".utf8)) }
                }
            }
        }
        writer.flush()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2000)
        var next = [Int](repeating: 0, count: 8)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Int])
            let task = try #require(object["task"])
            #expect(object["n"] == next[task])
            next[task] += 1
        }
        writer.close()
    }

    /// Nobody reads the pipe: appending far more than it and the writer hold returns at once, the excess is
    /// dropped (and said), and what does arrive is whole lines.
    @Test(.timeLimit(.minutes(1)))
    func aStalledFileDropsLinesInsteadOfStallingRequests() throws {
        let pipe = Pipe()
        let writer = LineWriter(handle: pipe.fileHandleForWriting, name: "a pipe")
        let line = Array(String(repeating: "x", count: 1023).utf8) + [0x0A]
        let count = (LineWriter.limit >> 10) * 2
        for _ in 0..<count { writer.append(line) }
        final class Box: @unchecked Sendable { var data = Data() }
        let received = Box()
        let reader = Thread { received.data = pipe.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        writer.flush()
        writer.close()
        try pipe.fileHandleForWriting.close()
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        #expect(received.data.count % line.count == 0)
        #expect(received.data.count < count * line.count)
        #expect(received.data.count >= LineWriter.limit)
    }
}
