import Foundation
import Synchronization

/// Threads of their own for the CPU-heavy part of a scrape (parse, label, relabel, staleness).
///
/// Processing a 1 MB body takes a few milliseconds of pure CPU. Run on Swift's cooperative pool,
/// two hundred of them queue in front of everything else in the process (the `/metrics` server,
/// timers), which then waits hundreds of milliseconds. On these threads the operating system
/// time-slices processing against the cooperative pool instead, so other work stays prompt.
public final class ProcessingExecutor: TaskExecutor, @unchecked Sendable {
    /// The process-wide executor, one thread per core.
    public static let shared = ProcessingExecutor(threads: ProcessInfo.processInfo.activeProcessorCount)

    private let queue = Mutex<[UnownedJob]>([])
    private let available = DispatchSemaphore(value: 0)

    /// Starts `threads` worker threads; they live as long as the process.
    public init(threads: Int) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in work() }
            thread.name = "stackbridge-process-\(index)"
            thread.start()
        }
    }

    /// Queues a job (called by the Swift runtime).
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.withLock { $0.append(unowned) }
        available.signal()
    }

    private func work() {
        while true {
            available.wait()
            guard let job = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
