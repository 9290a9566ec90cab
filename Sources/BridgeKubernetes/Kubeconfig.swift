import BridgeCore
import BridgeHTTP
import Foundation
import Yams

/// Reads a kubeconfig file (`$KUBECONFIG`, `~/.kube/config`) for its current (or a named) context:
/// server, CA, TLS server name, insecure flag, and the user's token, token file, client certificate
/// or basic credentials. Inline base64 data (`*-data`, `token`) is written to files with mode 0600 in
/// `materialDirectory`, because the transport reads credentials from files.
public enum Kubeconfig {
    struct File: Decodable {
        struct Named<Value: Decodable>: Decodable {
            let name: String
            let value: Value?

            enum CodingKeys: String, CodingKey { case name, cluster, user, context }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                name = try container.decode(String.self, forKey: .name)
                value =
                    try container.decodeIfPresent(Value.self, forKey: .cluster)
                    ?? container.decodeIfPresent(Value.self, forKey: .user)
                    ?? container.decodeIfPresent(Value.self, forKey: .context)
            }
        }

        struct Cluster: Decodable {
            let server: String?
            let certificateAuthority: String?
            let certificateAuthorityData: String?
            let insecureSkipTLSVerify: Bool?
            let tlsServerName: String?
            let proxyURL: String?

            enum CodingKeys: String, CodingKey {
                case server
                case certificateAuthority = "certificate-authority"
                case certificateAuthorityData = "certificate-authority-data"
                case insecureSkipTLSVerify = "insecure-skip-tls-verify"
                case tlsServerName = "tls-server-name"
                case proxyURL = "proxy-url"
            }
        }

        struct User: Decodable {
            let token: String?
            let tokenFile: String?
            let clientCertificate: String?
            let clientCertificateData: String?
            let clientKey: String?
            let clientKeyData: String?
            let username: String?
            let password: String?
            let exec: Plugin?
            let authProvider: Plugin?

            struct Plugin: Decodable {}

            enum CodingKeys: String, CodingKey {
                case token, tokenFile, username, password, exec
                case clientCertificate = "client-certificate"
                case clientCertificateData = "client-certificate-data"
                case clientKey = "client-key"
                case clientKeyData = "client-key-data"
                case authProvider = "auth-provider"
            }
        }

        struct Context: Decodable {
            let cluster: String
            let user: String?
            let namespace: String?
        }

        let clusters: [Named<Cluster>]?
        let users: [Named<User>]?
        let contexts: [Named<Context>]?
        let currentContext: String?

        enum CodingKeys: String, CodingKey {
            case clusters, users, contexts
            case currentContext = "current-context"
        }
    }

    /// The configuration of `context` (or the current context) in the kubeconfig at `path`.
    public static func load(path: String, context name: String? = nil, materialDirectory: String)
        throws(ConfigurationError)
        -> APIServerConfig
    {
        func fail(_ key: String, _ value: String, _ expected: String) -> ConfigurationError {
            ConfigurationError(file: path, path: key, value: value, expected: expected)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError.unreadable(
                file: path, path: "kubernetes.kubeconfig",
                expected: "a kubeconfig: outside a cluster the API server comes from kubernetes.api_server, "
                    + "kubernetes.kubeconfig, $KUBECONFIG or ~/.kube/config")
        }
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: text)
        } catch {
            throw ConfigurationError.from(error)?.inFile(path) ?? fail("", "", "a kubeconfig in YAML: \(error)")
        }
        guard let contextName = name ?? file.currentContext, !contextName.isEmpty else {
            throw fail("current-context", "", "the name of a context (or pass one explicitly)")
        }
        guard let context = file.contexts?.first(where: { $0.name == contextName })?.value else {
            throw fail("contexts", contextName, "a context named \(contextName)")
        }
        guard let cluster = file.clusters?.first(where: { $0.name == context.cluster })?.value,
            let server = cluster.server, !server.isEmpty
        else {
            throw fail("clusters", context.cluster, "a cluster named \(context.cluster) with a server URL")
        }
        let base = (path as NSString).deletingLastPathComponent
        let materials = Materials(directory: materialDirectory, kubeconfig: path)
        var security = EndpointSecurity(serverName: cluster.tlsServerName, proxyURL: cluster.proxyURL)
        security.insecureSkipVerify = cluster.insecureSkipTLSVerify ?? false
        security.caFile =
            try materials.file(cluster.certificateAuthorityData, "ca.crt", key: "certificate-authority-data")
            ?? cluster.certificateAuthority.map { resolve($0, base) }
        if let userName = context.user {
            guard let user = file.users?.first(where: { $0.name == userName })?.value else {
                throw fail("users", userName, "a user named \(userName)")
            }
            if user.exec != nil || user.authProvider != nil {
                throw fail(
                    "users[\(userName)]", "exec/auth-provider",
                    "a token, token file or client certificate; credential plugins are not supported"
                )
            }
            security.certFile =
                try materials.file(user.clientCertificateData, "client.crt", key: "client-certificate-data")
                ?? user.clientCertificate.map { resolve($0, base) }
            security.keyFile =
                try materials.file(user.clientKeyData, "client.key", key: "client-key-data")
                ?? user.clientKey.map { resolve($0, base) }
            security.bearerTokenFile =
                try materials.file(user.token, "token", key: "token", base64: false)
                ?? user.tokenFile.map { resolve($0, base) }
            if let username = user.username, let password = user.password {
                security.basicAuth = .init(username: username, password: password)
            }
        }
        return APIServerConfig(
            server: server,
            security: security,
            namespace: context.namespace,
            source: .kubeconfig(path: path, context: contextName)
        )
    }

    private static func resolve(_ path: String, _ base: String) -> String {
        path.hasPrefix("/") ? path : base + "/" + path
    }

    /// Writes inline credentials to private files.
    private struct Materials {
        let directory: String
        let kubeconfig: String

        func file(_ data: String?, _ name: String, key: String, base64: Bool = true) throws(ConfigurationError)
            -> String?
        {
            guard let data, !data.isEmpty else { return nil }
            let bytes: Data
            if base64 {
                guard let decoded = Data(base64Encoded: data.filter { !$0.isWhitespace }) else {
                    throw ConfigurationError(
                        file: kubeconfig, path: key, value: "(\(data.count) characters)", expected: "base64 data")
                }
                bytes = decoded
            } else {
                bytes = Data(data.utf8)
            }
            let path = directory + "/" + name
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                guard
                    FileManager.default.createFile(
                        atPath: path, contents: bytes, attributes: [.posixPermissions: 0o600])
                else { throw CocoaError(.fileWriteUnknown) }
            } catch {
                throw ConfigurationError(
                    file: kubeconfig, path: key, value: path, expected: "a writable directory for credentials")
            }
            return path
        }
    }
}
