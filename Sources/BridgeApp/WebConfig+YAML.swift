import BridgeCore
import BridgeServer
import Foundation
import Yams

extension WebConfig {
    /// Reads the exporter-toolkit web configuration in `file` and checks that its certificate, key
    /// and CA files are readable and its password hashes are bcrypt; errors name file, key and value.
    public static func load(file: String) throws(ConfigurationError) -> WebConfig {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError.unreadable(
                file: file, path: "server.web_config_file", expected: "a readable web configuration file")
        }
        do {
            return try parse(String(decoding: data, as: UTF8.self))
        } catch {
            throw error.inFile(file)
        }
    }

    /// Parses web configuration YAML.
    public static func parse(_ text: String) throws(ConfigurationError) -> WebConfig {
        let root: Yams.Node
        do {
            root = try Yams.compose(yaml: text) ?? Yams.Node.mapping([:])
        } catch {
            throw ConfigurationError(path: "", value: "", expected: "valid YAML (\(error))")
        }
        var config = WebConfig()
        let top = try Section(root, path: "").keys(["tls_server_config", "basic_auth_users"])
        if let section = try top["tls_server_config"]?.keys([
            "cert_file", "key_file", "client_ca_file", "client_auth_type", "min_version",
        ]) {
            guard let cert = section["cert_file"], let key = section["key_file"] else {
                throw ConfigurationError(
                    path: "tls_server_config", value: "", expected: "both cert_file and key_file")
            }
            var tls = TLS(certFile: try cert.readableFile(), keyFile: try key.readableFile())
            tls.clientCAFile = try section["client_ca_file"]?.readableFile()
            if let node = section["client_auth_type"] { tls.clientAuthType = try node.choice(TLS.ClientAuth.self) }
            if let node = section["min_version"] {
                let version = try node.string()
                guard ["TLS12", "TLS13"].contains(version) else { throw node.error(version, "TLS12 or TLS13") }
                tls.minVersion = version
            }
            if tls.clientAuthType == .requireAndVerify && tls.clientCAFile == nil {
                throw ConfigurationError(
                    path: "tls_server_config.client_ca_file", value: "",
                    expected: "a CA file, which RequireAndVerifyClientCert needs")
            }
            do {
                _ = try tls.serverConfiguration()
            } catch {
                throw ConfigurationError(
                    path: "tls_server_config", value: tls.certFile, expected: "a PEM certificate and key (\(error))")
            }
            config.tls = tls
        }
        if let users = top["basic_auth_users"] {
            guard case .mapping(let mapping) = users.node else {
                throw users.error("", "a mapping of user to bcrypt hash")
            }
            for (key, value) in mapping {
                let user = key.scalar?.string ?? ""
                let hash = value.scalar?.string ?? ""
                // Never echo the hash itself: it is a credential too.
                guard ["$2a$", "$2b$", "$2y$"].contains(where: hash.hasPrefix), hash.count == 60 else {
                    throw ConfigurationError(
                        path: "basic_auth_users.\(user)", value: "<hidden>",
                        expected: "a bcrypt hash ($2y$…, 60 characters; htpasswd -nBC 10 \(user))")
                }
                config.basicAuthUsers[user] = hash
            }
        }
        return config
    }
}

extension Section {
    /// A path to a file that exists and can be read.
    func readableFile() throws(ConfigurationError) -> String {
        let file = try string()
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw ConfigurationError.unreadable(file: file, path: path, expected: "a readable file")
        }
        return file
    }
}
