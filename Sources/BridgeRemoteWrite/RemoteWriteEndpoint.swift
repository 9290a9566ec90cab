import BridgeHTTP

/// One `remote_write` entry: where to send and how (field names as Prometheus' `remote_write`).
public struct RemoteWriteEndpoint: Sendable, Hashable {
    /// The receiver's URL (`/api/v1/write` for Prometheus and VictoriaMetrics).
    public var url: String
    /// The operator's name for the endpoint (`name`), unique among them; nil when not named.
    public var name: String?
    /// Extra headers; the four remote-write headers cannot be overridden.
    public var headers: [String: String] = [:]
    /// TLS, bearer token, basic auth, proxy.
    public var security = EndpointSecurity()
    /// Timeout of one request (`remote_timeout`).
    public var timeout: Duration = .seconds(30)
    /// Retry 429 answers, honouring `Retry-After` (`queue_config.retry_on_http_429`).
    public var retryOnHTTP429 = false

    /// An endpoint at `url` with Prometheus' defaults.
    public init(url: String) {
        self.url = url
    }
}
