import CCurl
import Foundation
import Synchronization

/// Runs every transfer of one ``HTTPClient`` on a single thread with libcurl's multi interface.
///
/// Callers hand transfers over through a lock-protected inbox and wake the thread with
/// `curl_multi_wakeup`; the thread adds them to the multi handle, drives all of them with
/// `curl_multi_perform` / `curl_multi_poll`, and resumes each caller's continuation when libcurl
/// reports its transfer done. The multi handle keeps a connection cache, so connections (and HTTP/2
/// streams) to the same host are reused across requests.
final class CurlDriver: @unchecked Sendable {
    private struct Inbox {
        var added: [CurlTransfer] = []
        // Strong references: an identifier alone could name a new transfer at a reused address.
        var cancelled: [CurlTransfer] = []
        var resumed: [CurlTransfer] = []
        var stopping = false
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    private let stopped = DispatchSemaphore(value: 0)
    /// Transfers owned by the driver thread; touched only there.
    private var active: [ObjectIdentifier: CurlTransfer] = [:]

    init(maxConnectionsPerHost: Int) {
        multi = curl_multi_init()!
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        let thread = Thread { [self] in run() }
        thread.name = "stackbridge-http"
        thread.start()
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
        curl_multi_wakeup(multi)
    }

    /// Asks the thread to abort `transfer`, wherever it is.
    func cancel(_ transfer: CurlTransfer) {
        transfer.cancelRequested.withLock { $0 = true }
        inbox.withLock { $0.cancelled.append(transfer) }
        curl_multi_wakeup(multi)
    }

    /// Asks the thread to unpause a streamed transfer whose consumer caught up.
    func resume(_ transfer: CurlTransfer) {
        inbox.withLock { $0.resumed.append(transfer) }
        curl_multi_wakeup(multi)
    }

    /// Stops the thread; transfers still running fail with ``HTTPError/Kind/cancelled``.
    func shutdown() {
        let first = inbox.withLock { inbox in
            defer { inbox.stopping = true }
            return !inbox.stopping
        }
        guard first else { return }
        curl_multi_wakeup(multi)
        stopped.wait()
    }

    private func run() {
        var running: Int32 = 0
        while true {
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
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for transfer in active.values {
            curl_multi_remove_handle(multi, transfer.handle)
            finish(
                transfer, .failure(HTTPError(kind: .cancelled, url: transfer.url, detail: "HTTP client is shut down")))
        }
        active.removeAll()
        curl_multi_cleanup(multi)
        stopped.signal()
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
