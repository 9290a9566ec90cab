import CCurl
import Foundation
import Synchronization

/// Runs transfers of an ``HTTPClient`` on a single thread with libcurl's multi interface, and is
/// an event loop: a task executor with timers, whose jobs run on the same thread between transfers.
///
/// Callers hand transfers, jobs and timers over through a lock-protected inbox and wake the thread
/// with `curl_multi_wakeup`; the thread adds transfers to the multi handle, drives all of them with
/// `curl_multi_perform` / `curl_multi_poll`, and resumes each caller's continuation when libcurl
/// reports its transfer done. The multi handle keeps a connection cache, so connections (and HTTP/2
/// streams) to the same host are reused across requests.
///
/// A task that prefers this executor (a scrape loop) sleeps, sends its request, takes the response
/// and processes it all on this thread: nothing it does wakes another thread, and the poll that
/// waits for its response also waits for its timer. Handing each of those steps to another thread
/// (a timer thread, the cooperative pool, processing threads) cost about ten thread wake-ups per
/// scrape, a quarter of the bridge's CPU at forty scrapes a second (docs/performance.md).
final class CurlDriver: TaskExecutor, @unchecked Sendable {
    private struct Inbox {
        var added: [CurlTransfer] = []
        // Strong references: an identifier alone could name a new transfer at a reused address.
        var cancelled: [CurlTransfer] = []
        var resumed: [CurlTransfer] = []
        var jobs: [UnownedJob] = []
        var timers = LoopTimers()
        var stopping = false
        /// Set when the thread has ended: jobs go to the global executor from then on.
        var stopped = false
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    private let stopped = DispatchSemaphore(value: 0)
    /// The driver thread, set before it first looks at the inbox.
    private let thread = Mutex<pthread_t?>(nil)
    /// Transfers owned by the driver thread; touched only there.
    private var active: [ObjectIdentifier: CurlTransfer] = [:]

    init(maxConnectionsPerHost: Int) {
        multi = curl_multi_init()!
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            self.thread.withLock { $0 = pthread_self() }
            started.signal()
            run()
        }
        thread.name = "stackbridge-http"
        thread.start()
        started.wait()
    }

    /// Whether the caller runs on the driver thread.
    var isCurrent: Bool {
        guard let thread = thread.withLock({ $0 }) else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    /// Wakes the thread from its poll, unless the caller is the thread: it looks at the inbox
    /// again before it polls.
    private func wake() {
        if !isCurrent { curl_multi_wakeup(multi) }
    }

    /// Queues a job (called by the Swift runtime for tasks that prefer this executor).
    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let stopped = inbox.withLock { inbox -> Bool in
            if inbox.stopped { return true }
            inbox.jobs.append(unowned)
            return false
        }
        if stopped {
            // The thread is gone (the client shut down); the task still has to finish somewhere.
            let executor = asUnownedTaskExecutor()
            DispatchQueue.global().async { unowned.runSynchronously(on: executor) }
            return
        }
        wake()
    }

    /// Returns at `deadline`, woken by the thread's poll; throws `CancellationError` when the task
    /// is cancelled or the driver stops first.
    func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = inbox.withLock { $0.timers.reserveID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let refused = inbox.withLock { inbox -> Bool in
                    if inbox.stopping || inbox.stopped {
                        _ = inbox.timers.cancel(id: id)
                        return true
                    }
                    return !inbox.timers.add(id: id, deadline: deadline, continuation)
                }
                if refused { continuation.resume(throwing: CancellationError()) } else { wake() }
            }
        } onCancel: {
            let continuation = inbox.withLock { $0.timers.cancel(id: id) }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Queues a configured transfer; its continuation is resumed on the driver thread.
    func submit(_ transfer: CurlTransfer) {
        let refused = inbox.withLock { inbox in
            if inbox.stopping { return true }
            inbox.added.append(transfer)
            return false
        }
        if refused {
            finish(
                transfer, .failure(HTTPError(kind: .cancelled, url: transfer.url, detail: "HTTP client is shut down")))
            return
        }
        wake()
    }

    /// Asks the thread to abort `transfer`, wherever it is.
    func cancel(_ transfer: CurlTransfer) {
        transfer.cancelRequested.withLock { $0 = true }
        inbox.withLock { $0.cancelled.append(transfer) }
        wake()
    }

    /// Asks the thread to unpause a streamed transfer whose consumer caught up.
    func resume(_ transfer: CurlTransfer) {
        inbox.withLock { $0.resumed.append(transfer) }
        wake()
    }

    /// Stops the thread; transfers still running fail with ``HTTPError/Kind/cancelled`` and
    /// sleeping timers with `CancellationError`. Waits for the thread unless called on it (a job
    /// that drops the last reference to the client): it then ends after that job.
    func shutdown() {
        let first = inbox.withLock { inbox in
            defer { inbox.stopping = true }
            return !inbox.stopping
        }
        guard first, !isCurrent else { return }
        curl_multi_wakeup(multi)
        stopped.wait()
    }

    private func run() {
        var running: Int32 = 0
        var jobs: [UnownedJob] = []
        while true {
            // Jobs queued so far, then the inbox; jobs they queue run in the next turn.
            inbox.withLock { inbox in swap(&jobs, &inbox.jobs) }
            for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
            jobs.removeAll(keepingCapacity: true)
            let (added, cancelled, resumed, stopping) = inbox.withLock { inbox in
                defer {
                    inbox.added.removeAll()
                    inbox.cancelled.removeAll()
                    inbox.resumed.removeAll()
                }
                return (inbox.added, inbox.cancelled, inbox.resumed, inbox.stopping)
            }
            for transfer in resumed where active[ObjectIdentifier(transfer)] === transfer {
                // CURLPAUSE_CONT (0): receive and send again.
                curl_easy_pause(transfer.handle, 0)
            }
            for transfer in added {
                // A cancel that came before the transfer reached this thread set the flag.
                if transfer.cancelRequested.withLock({ $0 }) {
                    finish(transfer, .failure(HTTPError(kind: .cancelled, url: transfer.url, detail: "cancelled")))
                    continue
                }
                active[ObjectIdentifier(transfer)] = transfer
                curl_multi_add_handle(multi, transfer.handle)
            }
            for transfer in cancelled {
                let id = ObjectIdentifier(transfer)
                // Not active: already finished, or never added (the flag handles that).
                guard active[id] === transfer else { continue }
                active[id] = nil
                curl_multi_remove_handle(multi, transfer.handle)
                finish(transfer, .failure(HTTPError(kind: .cancelled, url: transfer.url, detail: "cancelled")))
            }
            if stopping { break }
            curl_multi_perform(multi, &running)
            collectCompleted()
            let now = ContinuousClock.now
            let (due, pending, next) = inbox.withLock { inbox in
                (inbox.timers.removeDue(at: now), !inbox.jobs.isEmpty, inbox.timers.nextDeadline)
            }
            for continuation in due { continuation.resume() }
            // A job queued by a completion, a timer or a job is run before the thread sleeps.
            if !due.isEmpty || pending { continue }
            curl_multi_poll(multi, nil, 0, Self.pollMilliseconds(until: next, now: now), nil)
        }
        for transfer in active.values {
            curl_multi_remove_handle(multi, transfer.handle)
            finish(
                transfer, .failure(HTTPError(kind: .cancelled, url: transfer.url, detail: "HTTP client is shut down")))
        }
        active.removeAll()
        let (sleeping, left) = inbox.withLock { inbox in
            inbox.stopped = true
            defer { inbox.jobs.removeAll() }
            return (inbox.timers.removeAll(), inbox.jobs)
        }
        for continuation in sleeping { continuation.resume(throwing: CancellationError()) }
        for job in left { job.runSynchronously(on: asUnownedTaskExecutor()) }
        curl_multi_cleanup(multi)
        stopped.signal()
    }

    /// How long the poll may wait: until the next timer (rounded up, so that it wakes when the
    /// timer is due rather than a little before), at most a second.
    static func pollMilliseconds(until next: ContinuousClock.Instant?, now: ContinuousClock.Instant) -> Int32 {
        guard let next else { return 1000 }
        let (seconds, attoseconds) = now.duration(to: next).components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        guard seconds < 1 else { return 1000 }
        return Int32((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    private func collectCompleted() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var context: UnsafeMutablePointer<CChar>?
            _ = ccurl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &context)
            curl_multi_remove_handle(multi, easy)
            guard let context else { continue }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(UnsafeRawPointer(context)).takeUnretainedValue()
            active.removeValue(forKey: ObjectIdentifier(transfer))
            finish(transfer, transfer.result(code: code))
        }
    }

    private func finish(_ transfer: CurlTransfer, _ result: Result<HTTPResponse, HTTPError>) {
        if let sink = transfer.streamSink {
            sink.complete(result.map { ($0.status, $0.headers) })
            return
        }
        transfer.continuation?.resume(returning: result)
        transfer.continuation = nil
    }
}
