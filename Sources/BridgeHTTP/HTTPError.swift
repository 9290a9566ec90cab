import Foundation

/// Why an HTTP exchange failed, classified so that callers can decide about retries and report a
/// bounded `reason` label; the message names the URL without credentials.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// The class of failure.
    public enum Kind: String, Sendable, CaseIterable {
        /// The host name did not resolve.
        case dns
        /// The TCP connection could not be made (refused, unreachable).
        case connect
        /// TLS failed: handshake, certificate verification, client certificate.
        case tls
        /// The connect or total timeout passed.
        case timeout
        /// The server answered with a status the caller did not accept.
        case httpStatus = "http_status"
        /// The body exceeded the configured limit; the transfer was aborted.
        case bodyTooLarge = "body_too_large"
        /// The body's content encoding could not be decoded: a gzip stream that is corrupt or
        /// ends early (a truncated body).
        case decode
        /// Credentials could not be read (token file missing or unreadable).
        case auth
        /// The proxy refused or failed.
        case proxy
        /// A redirect that was not followed: to another origin, or more than five.
        case redirect
        /// The caller cancelled, or the client shut down.
        case cancelled
        /// Anything else libcurl reports (malformed response, connection reset, …).
        case other
    }

    /// The class of failure; its raw value is safe as a metric label.
    public let kind: Kind
    /// The URL with credentials removed.
    public let url: String
    /// What happened, for logs: one line, secrets and credentials removed (``PeerText``).
    public let detail: String
    /// The HTTP status, for ``Kind/httpStatus``.
    public let status: Int?

    /// Creates an error; `url` is redacted here.
    public init(kind: Kind, url: String, detail: String, status: Int? = nil) {
        self.kind = kind
        self.url = RedactedURL.string(url)
        self.detail = PeerText.quote(detail, limit: 512)
        self.status = status
    }

    /// `<url>: <kind>: <detail>`.
    public var description: String {
        "\(url): \(kind.rawValue.replacingOccurrences(of: "_", with: " ")): \(detail)"
    }

    /// Whether trying again later may succeed: network trouble, timeouts, 429 and 5xx.
    public var isRetryable: Bool {
        switch kind {
        case .dns, .connect, .timeout, .proxy, .other: true
        case .httpStatus: status.map { $0 == 429 || $0 >= 500 } ?? false
        case .tls, .bodyTooLarge, .decode, .auth, .cancelled, .redirect: false
        }
    }
}

extension HTTPResponse {
    /// The response if its status is 2xx, otherwise an ``HTTPError`` of kind ``HTTPError/Kind/httpStatus``.
    public func requireSuccess(url: String) throws(HTTPError) -> HTTPResponse {
        guard isSuccess else {
            let detail =
                unfollowedRedirect("follow_redirects is off or the redirect leaves the origin")
                ?? "HTTP \(status): \(quotedBody(limit: 200))"
            throw HTTPError(kind: .httpStatus, url: url, detail: detail, status: status)
        }
        return self
    }
}

extension HTTPResponse {
    /// The statuses that redirect (RFC 9110 §15.4) with a `Location`.
    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// Where a redirect points, or nil when the response is not one.
    public var redirectLocation: String? {
        Self.redirectStatuses.contains(status) ? header("Location") : nil
    }

    /// `HTTP <status> redirect to <Location> not followed: <why>`, the Location redacted and quoted;
    /// nil when the response is not a redirect.
    public func unfollowedRedirect(_ why: String) -> String? {
        redirectLocation.map {
            "HTTP \(status) redirect to \(PeerText.quote(RedactedURL.string($0), limit: 256)) not followed: \(why)"
        }
    }

    /// The body as a peer's quote (``PeerText``): white space trimmed, at most `limit` characters.
    public func quotedBody(limit: Int = PeerText.defaultLimit) -> String {
        PeerText.quote(
            String(decoding: body.prefix(limit * 4), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
            limit: limit)
    }
}
