import BridgeHTTP
import Foundation

/// Sends request bodies to one endpoint and says what to do next, by the remote write 1.0 rules
/// (reference/prometheus-side.md §1.1, §1.5): 2xx sent; 5xx and network errors retried; 429 retried
/// only with `retry_on_http_429`, after `Retry-After` when given; any other 4xx dropped, quoting
/// the receiver's message (``PeerText``). Redirects are not followed: the body and credentials go
/// only to the configured receiver, and a 3xx is dropped naming where it pointed.
public struct RemoteWriteClient: Sendable {
    /// What became of one request.
    public enum Outcome: Sendable, Equatable {
        /// The receiver accepted it.
        case sent
        /// Send it again, after at least `after` when the receiver asked for a delay.
        case retry(after: Duration?, reason: String)
        /// Do not send it again; the receiver refused it for good.
        case drop(reason: String)
    }

    let endpoint: RemoteWriteEndpoint
    let client: HTTPClient
    let userAgent: String

    /// A client for `endpoint`.
    public init(endpoint: RemoteWriteEndpoint, client: HTTPClient, userAgent: String) {
        self.endpoint = endpoint
        self.client = client
        self.userAgent = userAgent
    }

    /// The four headers of remote write 1.0 after the user's own, which cannot replace them.
    var headers: [(name: String, value: String)] {
        let fixed = [
            ("Content-Encoding", "snappy"), ("Content-Type", "application/x-protobuf"), ("User-Agent", userAgent),
            ("X-Prometheus-Remote-Write-Version", "0.1.0"),
        ]
        let reserved = Set(fixed.map { $0.0.lowercased() })
        let custom = endpoint.headers.filter { !reserved.contains($0.key.lowercased()) }.sorted { $0.key < $1.key }
        return custom.map { ($0.key, $0.value) } + fixed
    }

    /// POSTs `body` (a snappy-compressed `WriteRequest`).
    public func send(_ body: [UInt8]) async -> Outcome {
        // Connecting counts against `remote_timeout` as a whole, as in Prometheus, rather than the
        // transport's short default: a busy receiver that accepts late is slow, not down.
        var request = HTTPRequest(
            url: endpoint.url, method: .post, headers: headers, body: body,
            connectTimeout: endpoint.timeout, timeout: endpoint.timeout, maxBodyBytes: 1 << 20,
            security: endpoint.security, acceptCompression: false)
        request.redirects = .none
        let response: HTTPResponse
        do {
            response = try await client.execute(request)
        } catch {
            return .retry(after: nil, reason: error.kind.rawValue)
        }
        return Self.classify(response, retryOnHTTP429: endpoint.retryOnHTTP429)
    }

    /// The outcome of a receiver's answer.
    static func classify(_ response: HTTPResponse, retryOnHTTP429: Bool) -> Outcome {
        switch response.status {
        case 200..<300:
            return .sent
        case 429 where retryOnHTTP429:
            return .retry(after: retryAfter(response.header("Retry-After")), reason: "http_429")
        case 500...:
            return .retry(after: nil, reason: "http_\(response.status)")
        default:
            if let refusal = response.unfollowedRedirect(Self.redirectReason) { return .drop(reason: refusal) }
            return .drop(reason: "HTTP \(response.status): \(response.quotedBody(limit: 256))")
        }
    }

    /// Why a write answered with a redirect is not sent on: the credentials and the data belong to
    /// the configured receiver.
    static let redirectReason = "writes go only to the configured url; set it to the new location"

    /// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3).
    static func retryAfter(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(max(0, Int64(date.timeIntervalSince(now) * 1000)))
    }
}
