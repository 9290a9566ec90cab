/// The server's TLS and basic-auth settings, in the Prometheus exporter-toolkit's web configuration
/// format (`server.web_config_file`; docs/configuration.md, "Securing the server").
public struct WebConfig: Sendable, Hashable {
    /// `tls_server_config`.
    public struct TLS: Sendable, Hashable {
        /// The server certificate chain (PEM).
        public var certFile: String
        /// Its private key (PEM).
        public var keyFile: String
        /// CAs that client certificates must chain to.
        public var clientCAFile: String?
        /// `NoClientCert` (default), `RequireAndVerifyClientCert` or `VerifyClientCertIfGiven`.
        public var clientAuthType = ClientAuth.none
        /// The oldest TLS version accepted (`TLS12` by default, or `TLS13`).
        public var minVersion = "TLS12"

        /// What is asked of clients.
        public enum ClientAuth: String, Sendable, Hashable, CaseIterable {
            /// No client certificate.
            case none = "NoClientCert"
            /// A client certificate is required and verified against `client_ca_file`.
            case requireAndVerify = "RequireAndVerifyClientCert"
            /// A client certificate, when given, is verified.
            case verifyIfGiven = "VerifyClientCertIfGiven"
        }

        /// TLS with `certFile` and `keyFile`.
        public init(certFile: String, keyFile: String) {
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    /// TLS, when set.
    public var tls: TLS?
    /// `basic_auth_users`: user name to bcrypt hash.
    public var basicAuthUsers: [String: String] = [:]

    /// No TLS, no authentication.
    public init() {}
}
