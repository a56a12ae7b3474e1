import NIOCore
import NIOPosix

/// Where the server's blocking calls run: the system calls on the served tree (open, read, pread,
/// write, fstatat, readdir, rename, unlink, mkdir) and SQLite (GRDB waits on its own queue).
///
/// Request handlers run as Swift tasks on the cooperative pool, one thread per core, which every request
/// shares: a call that waits on a slow disk or a busy database there stalls every other request on that
/// thread, and with it the responses being streamed. NIO's blocking pool (``NIOThreadPool/singleton``,
/// one thread per core unless `NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT` says otherwise) is where waiting
/// is allowed. Each handler hands over its storage and store work in as few pieces as it can: one per
/// request for a small answer, one per 256 KiB for a file streamed in (or out, where it cannot go out with
/// sendfile), one per 256 KiB of a streamed listing. A hop wakes two threads; a server run by ``DAVServer/run(_:gracefulShutdownSignals:)`` runs its
/// handlers on a ``BlockingExecutor``, whose threads may block, and makes no hop at all.
enum BlockingPool {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        if BlockingExecutor.isWorkerThread { return try body() }
        return try await NIOThreadPool.singleton.runIfActive(body)
    }
}

/// A value one request hands between its task and the blocking pool, used by one thread at a time and
/// never shared between requests: an open directory, an upload's writer, a listing being streamed.
struct HandedOver<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
