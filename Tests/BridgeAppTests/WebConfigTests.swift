import BridgeCore
import BridgeServer
import BridgeTestPeers
import Foundation
import Testing

@testable import BridgeApp

/// The exporter-toolkit web configuration: what is accepted and how mistakes are named.
@Suite struct WebConfigTests {
    /// Prometheus' documentation example: user `admin`, password `test`.
    static let adminHash = "$2b$12$hNf2lSsxfm0.i4a.1kVpSOVyBCfIB51VRjgBUyv6kdnyTlgWj81Ay"

    @Test func tlsAndUsersAreRead() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let config = try WebConfig.parse(
            """
            tls_server_config:
              cert_file: \(certificates.serverCert)
              key_file: \(certificates.serverKey)
              client_ca_file: \(certificates.caFile)
              client_auth_type: RequireAndVerifyClientCert
              min_version: TLS13
            basic_auth_users:
              admin: \(Self.adminHash)
            """)
        #expect(config.tls?.certFile == certificates.serverCert)
        #expect(config.tls?.clientAuthType == .requireAndVerify)
        #expect(config.tls?.minVersion == "TLS13")
        #expect(config.basicAuthUsers == ["admin": Self.adminHash])
    }

    @Test func bcryptHashesVerify() {
        #expect(PasswordHash.matches(password: "test", hash: Self.adminHash))
        #expect(!PasswordHash.matches(password: "Test", hash: Self.adminHash))
        #expect(!PasswordHash.matches(password: "test", hash: "$2b$12$short"))
    }

    @Test(arguments: [
        (
            "tls_server_config: {cert_file: /nonexistent.pem, key_file: /nonexistent.key}",
            #"tls_server_config.cert_file: /nonexistent.pem cannot be read: No such file or directory (expected a readable file)"#
        ),
        (
            "tls_server_config: {key_file: /x}",
            #"tls_server_config: invalid value "" (expected both cert_file and key_file)"#
        ),
        ("basic_auth_users: {admin: plaintext-password}", #"basic_auth_users.admin: invalid value "<hidden>""#),
        (
            "http_server_config: {http2: true}",
            "http_server_config: unknown key \"http_server_config\"; keys here are tls_server_config, basic_auth_users"
        ),
    ])
    func mistakesAreNamed(_ yaml: String, _ message: String) {
        #expect {
            _ = try WebConfig.parse(yaml)
        } throws: { error in
            "\(error)".hasPrefix(message) && !"\(error)".contains("plaintext-password")
        }
    }

    @Test func clientVerificationNeedsACA() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        #expect {
            _ = try WebConfig.parse(
                """
                tls_server_config: {cert_file: \(certificates.serverCert), key_file: \(certificates.serverKey),
                  client_auth_type: RequireAndVerifyClientCert}
                """)
        } throws: { "\($0)".contains("client_ca_file") }
        #expect {
            _ = try WebConfig.parse(
                "tls_server_config: {cert_file: \(certificates.caFile), key_file: \(certificates.caFile)}")
        } throws: { "\($0)".hasPrefix("tls_server_config: invalid value \"\(certificates.caFile)\"") }
    }
}
