/// One HTTP request with everything that shapes how it is sent.
public struct HTTPRequest: Sendable {
    /// The HTTP method.
    public enum Method: String, Sendable {
        /// GET, for scrapes and API reads.
        case get = "GET"
        /// POST, for forwarding and creating API objects.
        case post = "POST"
        /// PUT, for replacing API objects (the leader-election lease).
        case put = "PUT"
    }

    /// The URL, which may carry credentials; they never appear in errors (see ``RedactedURL``).
    public var url: String
    /// The method.
    public var method: Method
    /// Extra request headers, in order. `Authorization` is set from ``security`` instead.
    public var headers: [(name: String, value: String)]
    /// The request body, for POST and PUT.
    public var body: [UInt8]?
    /// Connect timeout.
    public var connectTimeout: Duration
    /// Total timeout, from start to the last body byte.
    public var timeout: Duration
    /// The largest decoded body accepted; a larger one aborts the transfer with ``HTTPError/Kind/bodyTooLarge``.
    public var maxBodyBytes: Int
    /// TLS, authentication and proxy settings.
    public var security: EndpointSecurity
    /// Whether to ask for compressed bodies (gzip, deflate, zstd, br) and decode them.
    public var acceptCompression: Bool
    /// Whether to ask for gzip only (as Prometheus scrapes do) and inflate it in the bridge rather
    /// than in libcurl: a truncated or corrupt stream then fails with ``HTTPError/Kind/decode``
    /// instead of passing as the part that arrived. Overrides ``acceptCompression``.
    public var strictGzip = false
    /// Which redirects are followed; with ``EndpointSecurity/followRedirects`` off, none.
    public var redirects = Redirects.sameOrigin
    /// The decoded body size to make room for at the first body byte, such as the size of the
    /// last scrape of the same target: a body read into a buffer grown by doubling is copied
    /// about twice over and can hold twice its size (docs/performance.md). 0 for no guess.
    public var expectedBodyBytes: Int = 0

    /// Creates a request with the defaults a scrape uses: 10 s timeout, 5 s connect timeout, 64 MiB body limit.
    public init(
        url: String,
        method: Method = .get,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        connectTimeout: Duration = .seconds(5),
        timeout: Duration = .seconds(10),
        maxBodyBytes: Int = 64 << 20,
        security: EndpointSecurity = EndpointSecurity(),
        acceptCompression: Bool = true
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
        self.security = security
        self.acceptCompression = acceptCompression
    }
}

extension HTTPRequest {
    /// Which redirects a request follows. Credentials go only to the origin they were configured
    /// for: libcurl strips `Authorization` on a redirect to another host but keeps every other
    /// header (an API key among them), so the client follows redirects itself, within the origin.
    public enum Redirects: Sendable {
        /// None: a 3xx is the response (writes, whose body and key belong to one receiver).
        case none
        /// Within the request's origin (scheme, host and port), at most five; a redirect to
        /// another origin is an error naming it.
        case sameOrigin
    }

    /// What this request follows: its ``redirects``, or none when its endpoint turned them off.
    var followed: Redirects { security.followRedirects ? redirects : .none }
}
