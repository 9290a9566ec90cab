import BridgeHTTP
import Foundation

/// Posts JSON to the StackState receiver as the agent's default forwarder does (reference §1,
/// §7): `?api_key=` and `sts-api-key`, gzip, and its rules for answers — below 400 sent; 400, 404
/// and 413 dropped; 403 dropped as an invalid API key; 401, 429, 5xx and network errors retried.
/// Redirects are not followed (the agent's client would, and libcurl would carry `sts-api-key` to
/// any host): a 3xx is dropped naming where it pointed. Quoted bodies go through ``PeerText``.
public struct StackStateClient: Sendable {
    /// What became of one request.
    public enum Outcome: Sendable, Equatable {
        /// Accepted.
        case sent
        /// Try again later (backoff from 2 s to 64 s).
        case retry(reason: String)
        /// Do not send again; `reason` quotes the status and a bounded part of the body.
        case drop(reason: String)
    }

    let endpoint: StackStateEndpoint
    let client: HTTPClient
    let userAgent: String

    /// A client for `endpoint`.
    public init(endpoint: StackStateEndpoint, client: HTTPClient, userAgent: String) {
        self.endpoint = endpoint
        self.client = client
        self.userAgent = userAgent
    }

    /// POSTs `json` to `path` (`/intake/` or `/api/v1/series`), gzip-compressed.
    public func post(_ json: [UInt8], to path: String) async -> Outcome {
        await post(gzipped: Gzip.compress(json), to: path)
    }

    /// POSTs an already gzip-compressed JSON body to `path`.
    public func post(gzipped body: [UInt8], to path: String) async -> Outcome {
        await send(
            body, to: endpoint.address(path),
            headers: [
                ("sts-api-key", endpoint.apiKey), ("Content-Type", "application/json"), ("Content-Encoding", "gzip"),
                ("User-Agent", userAgent),
            ])
    }

    /// POSTs a framed process agent message (``ProcessAgentMessages``) to `path` with the agent's
    /// headers: `content-encoding: x-zip`, `sts-api-key`, `sts-hostname` and
    /// `sts-processagentversion`, no Content-Type and no key in the query
    /// (reference/process-connections.md §1.1). Answers are judged as for intake posts.
    public func post(processAgentMessage body: [UInt8], to path: String, hostname: String) async -> Outcome {
        let base = endpoint.url.hasSuffix("/") ? String(endpoint.url.dropLast()) : endpoint.url
        return await send(
            body, to: base + path,
            headers: [
                ("sts-api-key", endpoint.apiKey), ("content-encoding", "x-zip"), ("sts-hostname", hostname),
                ("sts-processagentversion", userAgent), ("User-Agent", userAgent), ("Content-Type", ""),
            ])
    }

    /// One POST of `body` to `url` with `headers`, redirects not followed, the answer classified.
    private func send(_ body: [UInt8], to url: String, headers: [(name: String, value: String)]) async -> Outcome {
        var request = HTTPRequest(
            url: url, method: .post, headers: headers, body: body, timeout: endpoint.timeout,
            maxBodyBytes: 1 << 20, security: endpoint.security, acceptCompression: false)
        request.redirects = .none
        do {
            return Self.classify(try await client.execute(request))
        } catch {
            // HTTPError descriptions carry the URL with the api_key value redacted.
            return .retry(reason: error.kind.rawValue)
        }
    }

    /// The outcome of the receiver's answer.
    static func classify(_ response: HTTPResponse) -> Outcome {
        let body = response.quotedBody(limit: 200)
        if let refusal = response.unfollowedRedirect(
            "posts go only to the configured url, with its API key; set it to the new location")
        {
            return .drop(reason: refusal)
        }
        switch response.status {
        case ..<400: return .sent
        case 403: return .drop(reason: "HTTP 403: the API key is not valid for this receiver (\(body))")
        case 400, 404, 413: return .drop(reason: "HTTP \(response.status): \(body)")
        default: return .retry(reason: "http_\(response.status)")
        }
    }
}
