import CCurl
import Foundation
import Synchronization

/// An async HTTP client on libcurl: one driver thread (or a few), many concurrent transfers.
///
/// It brings what scraping Kubernetes needs: connect and total timeouts, a body limit that aborts
/// the transfer, gzip / deflate / zstd / brotli decoding, HTTP/2 when the server offers it,
/// connection reuse, proxies (explicit or from the environment as libcurl reads it), TLS with a CA
/// file, client certificate, server-name override or an explicit skip of verification, bearer tokens
/// from files that rotate, and basic auth. Cancelling the calling task aborts the transfer.
public final class HTTPClient: Sendable {
    private let drivers: [CurlDriver]
    private let userAgent: String
    private let tokens = BearerTokenFiles()
    /// Memory all transfers' bodies may hold at once; nil for no bound beyond each request's own.
    public let bodyBudget: BodyBudget?

    /// Starts a client whose requests carry `userAgent`, with at most `maxConnectionsPerHost`
    /// connections to one host (0: no limit). Requests over the limit wait for a free connection,
    /// so long-lived streams (Kubernetes watches) belong in a client of their own with no limit.
    ///
    /// `threads` driver threads (at least one) share the transfers; each is also an event loop
    /// (``loop(for:)``) whose tasks run on it. The connection limit is split between them.
    public init(
        userAgent: String = "stackbridge", maxConnectionsPerHost: Int = 16, threads: Int = 1,
        bodyBudget: BodyBudget? = nil
    ) {
        self.bodyBudget = bodyBudget
        HTTPClient.initializeLibcurl
        self.userAgent = userAgent
        let count = max(1, threads)
        let perThread = maxConnectionsPerHost == 0 ? 0 : max(1, (maxConnectionsPerHost + count - 1) / count)
        drivers = (0..<count).map { _ in CurlDriver(maxConnectionsPerHost: perThread) }
    }

    deinit {
        for driver in drivers { driver.shutdown() }
    }

    /// The event loop for `key` (a hash the caller keeps stable, such as a target's), the same one
    /// for the same key: a task that runs with its ``HTTPLoop/executor`` as preference and sleeps on
    /// its ``HTTPLoop/clock`` does all of its work, its requests included, on one driver thread.
    public func loop(for key: UInt64) -> HTTPLoop {
        HTTPLoop(driver: drivers[Int(key % UInt64(drivers.count))])
    }

    /// The driver the calling thread runs, or else the first: a request from a loop's task stays
    /// on that loop.
    var currentDriver: CurlDriver {
        drivers.first(where: \.isCurrent) ?? drivers[0]
    }

    /// `curl_global_init` must run once before any other libcurl call, from one thread.
    static let initializeLibcurl: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    /// The most redirects one request follows, as libcurl's and Go's clients default to.
    static let maxRedirects = 5

    /// Performs `request`; any status is a response. Throws ``HTTPError`` on transport failures
    /// and on a redirect it may not follow (``HTTPRequest/Redirects``).
    public func execute(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        var current = request
        for _ in 0...Self.maxRedirects {
            let response = try await perform(current)
            guard current.followed == .sameOrigin, let location = response.redirectLocation else { return response }
            guard let next = Origin.resolve(location, against: current.url), Origin(next) == Origin(current.url)
            else {
                throw HTTPError(
                    kind: .redirect, url: current.url,
                    detail:
                        "HTTP \(response.status) to \(RedactedURL.string(location)) on another origin, not followed: "
                        + "credentials go only to the origin they are configured for")
            }
            // 303, and 301/302 after a POST, continue as GET without the body (RFC 9110 §15.4).
            if response.status == 303 || (current.method == .post && response.status < 303) {
                current.method = .get
                current.body = nil
            }
            current.url = next
        }
        throw HTTPError(kind: .redirect, url: request.url, detail: "more than \(Self.maxRedirects) redirects")
    }

    /// Registers every credential `request` carries (``SecretRegistry``), so that a peer echoing
    /// it back cannot put it into a log line.
    static func registerCredentials(of request: HTTPRequest, authorization: String?) {
        let registry = SecretRegistry.shared
        if let authorization, let space = authorization.firstIndex(of: " ") {
            registry.register(String(authorization[space...]))
        }
        registry.register(request.security.basicAuth?.password)
        for header in request.headers where PeerText.credentialHeaders.contains(header.name.lowercased()) {
            registry.register(header.value)
        }
        guard request.url.contains("@") || request.url.contains("?"), let url = URLComponents(string: request.url)
        else { return }
        registry.register(url.password)
        for item in url.queryItems ?? [] where RedactedURL.secretParameters.contains(item.name.lowercased()) {
            registry.register(item.value)
        }
    }

    /// One exchange, without following redirects.
    private func perform(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let transfer = try prepare(request)
        // Chosen once: the cancellation handler may run on any thread.
        let driver = currentDriver
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.continuation = continuation
                driver.submit(transfer)
            }
        } onCancel: {
            driver.cancel(transfer)
        }
        return try result.get()
    }

    /// Performs `request` and returns as soon as the final response's headers arrive; the body is
    /// then read from ``HTTPStreamResponse/body`` as it comes. `maxBodyBytes` does not apply; at
    /// most `bufferLimit` bytes wait for the consumer before the transfer pauses.
    public func stream(_ request: HTTPRequest, bufferLimit: Int = 4 << 20) async throws(HTTPError) -> HTTPStreamResponse
    {
        var unlimited = request
        unlimited.maxBodyBytes = 0
        let transfer = try prepare(unlimited)
        let (chunks, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let driver = currentDriver
        let sink = StreamSink(limit: bufferLimit, chunks: continuation) { [weak transfer] in
            if let transfer { driver.resume(transfer) }
        }
        transfer.streamSink = sink
        continuation.onTermination = { [weak transfer] termination in
            if case .cancelled = termination, let transfer { driver.cancel(transfer) }
        }
        let head = await withTaskCancellationHandler {
            await withCheckedContinuation { headContinuation in
                sink.awaitHead(headContinuation)
                driver.submit(transfer)
            }
        } onCancel: {
            driver.cancel(transfer)
        }
        let (status, headers) = try head.get()
        return HTTPStreamResponse(status: status, headers: headers, body: HTTPBodyStream(chunks: chunks, sink: sink))
    }

    /// Reads the credentials and configures a transfer for `request`.
    private func prepare(_ request: HTTPRequest) throws(HTTPError) -> CurlTransfer {
        let authorization: String?
        do {
            if let configured = request.security.authorization {
                switch configured.credentials {
                case .inline(let credentials): authorization = "\(configured.type) \(credentials)"
                case .file(let path):
                    authorization = "\(configured.type) \(try tokens.file(path).token(for: request.url))"
                }
            } else {
                authorization = try request.security.bearerTokenFile.map {
                    "Bearer \(try tokens.file($0).token(for: request.url))"
                }
            }
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(kind: .auth, url: request.url, detail: "\(error)")
        }
        Self.registerCredentials(of: request, authorization: authorization)
        do {
            return try CurlTransfer(
                request: request, userAgent: userAgent, authorization: authorization, budget: bodyBudget)
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(kind: .other, url: request.url, detail: "\(error)")
        }
    }

    /// Stops the driver threads; requests still running fail as cancelled. Also done on deinit.
    public func shutdown() {
        for driver in drivers { driver.shutdown() }
    }
}
