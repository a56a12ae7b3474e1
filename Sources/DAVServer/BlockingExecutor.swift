#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The threads `serve` runs its request handlers on: a task executor whose threads may block.
///
/// A handler's storage and store calls block (a slow disk, a busy database). On Swift's cooperative pool
/// (one thread per core, shared by every request) they would stall the other requests, so they hop to
/// ``BlockingPool``; but each hop there and back wakes two threads, which on a small machine cost more
/// than a small request's own work (GET of 4 KiB: 46 → 87 µs of CPU). Running the handlers themselves
/// here — the server's tasks prefer this executor — costs the one hop from NIO's event loop that the
/// cooperative pool cost, and a blocking call then blocks only its own thread of several.
public final class BlockingExecutor: TaskExecutor, @unchecked Sendable {
    /// One per process, started on first use: `serve` and `lab` run their servers on it.
    public static let shared = BlockingExecutor(threads: defaultThreadCount)

    /// One per core (at least two), as many as NIO's blocking pool had: more threads than cores cost every
    /// request CPU in wake-ups (GET of 4 KiB, two cores: 78 µs with two threads, 87 µs with four).
    /// `DAVDOCTOR_SERVE_THREADS` sets another number (1 to 256), for a disk slow enough to want more.
    static var defaultThreadCount: Int {
        if let text = getenv("DAVDOCTOR_SERVE_THREADS"), let count = Int(String(cString: text)), (1...256).contains(count) { return count }
        return max(2, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Whether the calling thread is one of an executor's: blocking calls may run right here.
    static var isWorkerThread: Bool { pthread_getspecific(workerKey) != nil }

    private var mutex = pthread_mutex_t()
    private var wake = pthread_cond_t()
    private var queue = JobQueue()
    private var sleeping = 0
    let threadCount: Int

    init(threads: Int) {
        threadCount = threads
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&wake, nil)
        for number in 0..<threads { start(number) }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        pthread_mutex_lock(&mutex)
        queue.append(unowned)
        let wakeOne = sleeping > 0
        pthread_mutex_unlock(&mutex)
        if wakeOne { pthread_cond_signal(&wake) }
    }

    private func start(_ number: Int) {
        let box = Unmanaged.passRetained(WorkerStart(executor: self, number: number)).toOpaque()
        var thread = pthread_t()
        let made = pthread_create(
            &thread, nil,
            { raw in
                let start = Unmanaged<WorkerStart>.fromOpaque(raw!).takeRetainedValue()
                start.executor.work(number: start.number)
                return nil
            }, box)
        precondition(made == 0, "BlockingExecutor could not start a thread: error \(made)")
        pthread_detach(thread)
    }

    private func work(number: Int) {
        pthread_setspecific(workerKey, UnsafeRawPointer(bitPattern: 1))
        Self.nameThisThread("DAVBlocking-#\(number)")
        let me = asUnownedTaskExecutor()
        while true {
            pthread_mutex_lock(&mutex)
            while queue.isEmpty {
                sleeping += 1
                pthread_cond_wait(&wake, &mutex)
                sleeping -= 1
            }
            let job = queue.removeFirst()
            pthread_mutex_unlock(&mutex)
            job.runSynchronously(on: me)
        }
    }

    /// Names the calling thread, as `top -H`, `perf` and /proc show it (Linux keeps 15 bytes).
    private static func nameThisThread(_ name: String) {
        #if os(Linux)
            // Glibc's pthread_setname_np is not visible to Swift; the kernel takes the name from this file.
            let fd = open("/proc/thread-self/comm", O_WRONLY)
            guard fd >= 0 else { return }
            _ = Array(name.utf8.prefix(15)).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        #elseif canImport(Darwin)
            _ = name.withCString { pthread_setname_np($0) }
        #endif
    }

    private final class WorkerStart {
        let executor: BlockingExecutor
        let number: Int
        init(executor: BlockingExecutor, number: Int) {
            self.executor = executor
            self.number = number
        }
    }
}

/// Marks an executor's threads (``BlockingExecutor/isWorkerThread``).
private let workerKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

/// First in, first out, without moving the queue's elements on every take.
private struct JobQueue {
    private var jobs: [UnownedJob] = []
    private var head = 0

    var isEmpty: Bool { head == jobs.count }

    mutating func append(_ job: UnownedJob) { jobs.append(job) }

    mutating func removeFirst() -> UnownedJob {
        let job = jobs[head]
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024, head * 2 >= jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }
}
