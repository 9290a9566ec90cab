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
    /// Headers sent to the proxy only, in its CONNECT request (`proxy_connect_header`).
    public var proxyConnectHeaders: [String: [String]] = [:]
    /// The `Authorization` header from a type and credentials (`authorization`, `bearer_token`);
    /// when nil, ``bearerTokenFile`` gives a `Bearer` header.
    public var authorization: Authorization?
    /// The oldest TLS version accepted; nil: libcurl's default (TLS 1.2 with OpenSSL 3).
    public var minTLSVersion: TLSVersion?
    /// The newest TLS version offered; nil: the newest the TLS library has.
    public var maxTLSVersion: TLSVersion?
    /// Follow 3xx answers (`follow_redirects`, Prometheus' default true), at most five.
    public var followRedirects = true
    /// Offer HTTP/2 over TLS (`enable_http2`, Prometheus' default true); HTTP/1.1 only when false.
    public var enableHTTP2 = true

    /// A TLS protocol version, as Prometheus' `tls_config.min_version` names it.
    public enum TLSVersion: String, Sendable, Hashable, CaseIterable, Comparable {
        /// TLS 1.0.
        case tls10 = "TLS10"
        /// TLS 1.1.
        case tls11 = "TLS11"
        /// TLS 1.2.
        case tls12 = "TLS12"
        /// TLS 1.3.
        case tls13 = "TLS13"

        /// Orders versions from oldest to newest.
        public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// An `Authorization` header's scheme and where its credentials are.
    public struct Authorization: Sendable, Hashable {
        /// Where the credentials come from.
        public enum Credentials: Sendable, Hashable {
            /// Written in the configuration (never logged).
            case inline(String)
            /// Read from a file, and read again whenever it changes, as bearer token files are.
            case file(String)
        }

        /// The scheme, `Bearer` unless configured.
        public var type: String
        /// The credentials.
        public var credentials: Credentials

        /// Creates an authorization.
        public init(type: String = "Bearer", credentials: Credentials) {
            self.type = type
            self.credentials = credentials
        }
    }

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
        proxyURL: String? = nil,
        authorization: Authorization? = nil
    ) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
        self.bearerTokenFile = bearerTokenFile
        self.basicAuth = basicAuth
        self.proxyURL = proxyURL
        self.authorization = authorization
    }
}
