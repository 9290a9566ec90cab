/// How to reach an endpoint safely: TLS trust and identity, credentials, and proxy.
///
/// Field names follow Prometheus' `tls_config`, `authorization` and `proxy_url` so that operators
/// can carry their scrape settings over.
public struct EndpointSecurity: Sendable, Hashable {
    /// PEM file with the CA certificates that sign the server's certificate; system CAs when nil.
    public var caFile: String?
    /// PEM client certificate, for servers that require one.
    public var certFile: String?
    /// PEM private key of the client certificate.
    public var keyFile: String?
    /// The name to verify the server certificate against (and to send as SNI) instead of the URL's host.
    public var serverName: String?
    /// Skip server certificate verification. Only for endpoints whose certificate cannot be trusted
    /// otherwise, such as kubelets with self-signed serving certificates.
    public var insecureSkipVerify: Bool
    /// File holding a bearer token; re-read whenever it changes (projected service-account tokens rotate).
    public var bearerTokenFile: String?
    /// Basic authentication.
    public var basicAuth: BasicAuth?
    /// Proxy for this endpoint; when nil, libcurl's environment variables apply (`http_proxy`,
    /// `HTTPS_PROXY`, `NO_PROXY`; libcurl ignores upper-case `HTTP_PROXY` on purpose).
    public var proxyURL: String?

    /// User name and password for HTTP basic authentication.
    public struct BasicAuth: Sendable, Hashable {
        /// The user name.
        public var username: String
        /// The password (never logged).
        public var password: String

        /// Creates credentials.
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    /// Creates settings; everything off by default.
    public init(
        caFile: String? = nil,
        certFile: String? = nil,
        keyFile: String? = nil,
        serverName: String? = nil,
        insecureSkipVerify: Bool = false,
        bearerTokenFile: String? = nil,
        basicAuth: BasicAuth? = nil,
        proxyURL: String? = nil
    ) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
        self.bearerTokenFile = bearerTokenFile
        self.basicAuth = basicAuth
        self.proxyURL = proxyURL
    }
}
