import Synchronization

/// A response whose body arrives in chunks while the transfer runs (Kubernetes watches, long
/// downloads). The status and headers are known when it is returned.
public struct HTTPStreamResponse: Sendable {
    /// The status code.
    public let status: Int
    /// Response headers, names lower-cased.
    public let headers: [(name: String, value: String)]
    /// The body, chunk by chunk; ends when the server ends the response, throws ``HTTPError``
    /// when the transfer fails. Stopping iteration (or cancelling the task) aborts the transfer.
    public let body: HTTPBodyStream

    /// The first value of header `name`.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }
}

/// The chunks of a streamed body. Bounded: when the consumer falls more than the buffer limit
/// behind, libcurl pauses the transfer (TCP flow control then slows the server) and resumes it once
/// half the buffer is consumed, so a slow consumer never grows memory without bound.
public struct HTTPBodyStream: AsyncSequence, Sendable {
    /// A chunk of bytes.
    public typealias Element = [UInt8]

    let chunks: AsyncThrowingStream<[UInt8], any Error>
    let sink: StreamSink

    /// Iterates the chunks.
    public func makeAsyncIterator() -> Iterator {
        Iterator(base: chunks.makeAsyncIterator(), sink: sink)
    }

    /// The iterator; it tells the sink what was consumed.
    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        let sink: StreamSink

        /// The next chunk, nil at the end.
        public mutating func next() async throws -> [UInt8]? {
            guard let chunk = try await base.next() else { return nil }
            sink.consumed(chunk.count)
            return chunk
        }
    }
}

/// The producer side of a streamed body, shared by the driver thread and the consumer.
final class StreamSink: Sendable {
    private struct State {
        var buffered = 0
        var highWater = 0
        var paused = false
        var headersSent = false
    }

    let limit: Int
    let chunks: AsyncThrowingStream<[UInt8], any Error>.Continuation
    private let state = Mutex(State())
    private let head = Mutex<CheckedContinuation<Result<(Int, [(name: String, value: String)]), HTTPError>, Never>?>(
        nil)
    private let resume: @Sendable () -> Void

    init(
        limit: Int, chunks: AsyncThrowingStream<[UInt8], any Error>.Continuation, resume: @escaping @Sendable () -> Void
    ) {
        self.limit = limit
        self.chunks = chunks
        self.resume = resume
    }

    /// Sets the continuation that gets the status and headers.
    func awaitHead(
        _ continuation: CheckedContinuation<Result<(Int, [(name: String, value: String)]), HTTPError>, Never>
    ) {
        head.withLock { $0 = continuation }
    }

    /// Called on the driver thread when the final response's headers are complete.
    func headersComplete(status: Int, headers: [(name: String, value: String)]) {
        let first = state.withLock { state in
            defer { state.headersSent = true }
            return !state.headersSent
        }
        guard first else { return }
        head.withLock { continuation in
            continuation?.resume(returning: .success((status, headers)))
            continuation = nil
        }
    }

    /// Called on the driver thread with body bytes; false means "pause the transfer".
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let accepted = state.withLock { state -> Bool in
            if state.buffered >= limit {
                state.paused = true
                return false
            }
            state.buffered += bytes.count
            state.highWater = max(state.highWater, state.buffered)
            return true
        }
        if accepted { chunks.yield(Array(bytes)) }
        return accepted
    }

    /// The most bytes that ever waited for the consumer.
    var highWater: Int { state.withLock { $0.highWater } }

    /// Called by the consumer; resumes a paused transfer once half the buffer is free.
    func consumed(_ count: Int) {
        let wake = state.withLock { state -> Bool in
            state.buffered -= count
            if state.paused && state.buffered <= limit / 2 {
                state.paused = false
                return true
            }
            return false
        }
        if wake { resume() }
    }

    /// Called on the driver thread when the transfer ends.
    func complete(_ result: Result<(Int, [(name: String, value: String)]), HTTPError>) {
        switch result {
        case .success(let (status, headers)):
            headersComplete(status: status, headers: headers)
            chunks.finish()
        case .failure(let error):
            let pending = head.withLock { continuation in
                defer { continuation = nil }
                return continuation
            }
            pending?.resume(returning: .failure(error))
            chunks.finish(throwing: error)
        }
    }
}
