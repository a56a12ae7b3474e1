import Foundation

/// Writes whole lines to a file from one thread of its own, in the order they were appended.
///
/// A request that logs only copies its line into memory; the write system call, which waits on the disk
/// (or on a pipe nobody reads), happens here, where blocking harms nobody. When the disk falls behind by
/// more than ``limit`` bytes, further lines are counted and dropped rather than held without bound, and
/// the count is said on standard error; a failed write is said there too, once.
final class LineWriter: @unchecked Sendable {
    /// How far the file may fall behind before lines are dropped.
    static let limit = 8 << 20

    private let handle: FileHandle
    private let name: String
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var pending: [UInt8] = []
    private var appended = 0
    private var written = 0
    private var dropped = 0
    private var closing = false
    private var stopped = false
    private var failed = false

    init(handle: FileHandle, name: String) {
        self.handle = handle
        self.name = name
        let thread = Thread { [self] in drain() }
        thread.name = "davdoctor access log"
        thread.start()
    }

    func append(_ line: [UInt8]) {
        condition.lock()
        defer { condition.unlock() }
        guard !closing else { return }
        if pending.count + line.count > Self.limit {
            dropped += 1
            return
        }
        pending += line
        appended += 1
        condition.broadcast()
    }

    /// Waits until every line appended before the call has been handed to the file.
    func flush() {
        condition.lock()
        defer { condition.unlock() }
        let target = appended
        while written < target, !stopped { condition.wait() }
    }

    /// Writes what is pending and ends the thread.
    func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func drain() {
        condition.lock()
        while true {
            while pending.isEmpty, dropped == 0, !closing { condition.wait() }
            if pending.isEmpty, dropped == 0, closing { break }
            let batch = pending
            let through = appended
            let lost = dropped
            pending = []
            dropped = 0
            condition.unlock()
            if !batch.isEmpty { write(batch) }
            if lost > 0 {
                FileHandle.standardError.write(
                    Data("davdoctor serve: the access log \(name) fell \(Self.limit >> 20) MiB behind; \(lost) line(s) were not written\n".utf8))
            }
            condition.lock()
            written = through
            condition.broadcast()
        }
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func write(_ bytes: [UInt8]) {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            condition.lock()
            let first = !failed
            failed = true
            condition.unlock()
            if first { FileHandle.standardError.write(Data("davdoctor serve: cannot write the access log \(name): \(error)\n".utf8)) }
        }
    }
}
