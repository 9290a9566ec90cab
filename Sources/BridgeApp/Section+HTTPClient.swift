import BridgeCore
import BridgeHTTP
import Foundation

extension Section.Mapping {
    /// Prometheus' HTTP client keys of an endpoint (`tls_config`, `authorization`, `basic_auth`,
    /// `bearer_token(_file)`, `proxy_url`, `proxy_connect_header`, `follow_redirects`,
    /// `enable_http2`), with the flat TLS keys as aliases, checked as Prometheus 2.42 checks them:
    /// at most one kind of credentials, `Basic` only through `basic_auth`, a CONNECT header only
    /// with a proxy.
    func security() throws(ConfigurationError) -> EndpointSecurity {
        var security = EndpointSecurity()
        try readTLS(into: &security)
        let credentials = ["basic_auth", "authorization", "bearer_token", "bearer_token_file"].compactMap { self[$0] }
        if credentials.count > 1 {
            throw ConfigurationError.conflict(path: credentials[1].path, with: credentials[0].path)
        }
        if let node = self["bearer_token"] {
            security.authorization = .init(credentials: .inline(try node.string()))
        }
        security.bearerTokenFile = try self["bearer_token_file"]?.string()
        if let node = self["authorization"] { security.authorization = try Self.authorization(node) }
        if let node = self["basic_auth"] { security.basicAuth = try Self.basicAuth(node) }
        security.proxyURL = try self["proxy_url"]?.url()
        if let node = self["proxy_connect_header"] {
            guard security.proxyURL != nil else {
                throw ConfigurationError.missingKey(
                    path: path, key: "proxy_url", expected: "a proxy, which proxy_connect_header is sent to")
            }
            security.proxyConnectHeaders = try Self.headerLists(node)
        }
        if let node = self["follow_redirects"] { security.followRedirects = try node.bool() }
        if let node = self["enable_http2"] { security.enableHTTP2 = try node.bool() }
        return security
    }

    /// `tls_config` and the flat keys kept as its aliases.
    private func readTLS(into security: inout EndpointSecurity) throws(ConfigurationError) {
        let tls = try self["tls_config"]?.keys(ConfigurationSchema.tlsConfig)
        func value(_ key: String) throws(ConfigurationError) -> Section? {
            let nested = tls?[key]
            if let nested, let flat = self[key] {
                throw ConfigurationError.conflict(path: flat.path, with: nested.path)
            }
            return nested ?? self[key]
        }
        security.caFile = try value("ca_file")?.string()
        security.certFile = try value("cert_file")?.string()
        security.keyFile = try value("key_file")?.string()
        security.serverName = try value("server_name")?.string()
        if let node = try value("insecure_skip_verify") { security.insecureSkipVerify = try node.bool() }
        if (security.certFile == nil) != (security.keyFile == nil) {
            throw ConfigurationError.missingKey(
                path: tls?.path ?? path, key: security.certFile == nil ? "cert_file" : "key_file",
                expected: "a client certificate and its key together")
        }
        if let node = tls?["min_version"] {
            security.minTLSVersion = try node.choice(EndpointSecurity.TLSVersion.self)
        }
        if let node = tls?["max_version"] {
            let maximum = try node.choice(EndpointSecurity.TLSVersion.self)
            if let minimum = security.minTLSVersion, maximum < minimum {
                throw node.error(maximum.rawValue, "at least min_version (\(minimum.rawValue))")
            }
            security.maxTLSVersion = maximum
        }
    }

    private static func authorization(
        _ node: Section
    ) throws(ConfigurationError) -> EndpointSecurity.Authorization {
        let section = try node.keys(ConfigurationSchema.authorization)
        let type = try section["type"]?.string() ?? "Bearer"
        if type.lowercased() == "basic" {
            throw section["type"]!.error(type, "a scheme other than Basic; use basic_auth for Basic")
        }
        if let inline = section["credentials"], let file = section["credentials_file"] {
            throw ConfigurationError.conflict(path: file.path, with: inline.path)
        }
        if let file = section["credentials_file"] {
            return .init(type: type, credentials: .file(try file.string()))
        }
        guard let inline = section["credentials"] else {
            throw ConfigurationError.missingKey(
                path: node.path, key: "credentials_file", expected: "credentials or credentials_file")
        }
        return .init(type: type, credentials: .inline(try inline.string()))
    }

    private static func basicAuth(_ node: Section) throws(ConfigurationError) -> EndpointSecurity.BasicAuth {
        let section = try node.keys(ConfigurationSchema.basicAuth)
        if let inline = section["password"], let file = section["password_file"] {
            throw ConfigurationError.conflict(path: file.path, with: inline.path)
        }
        var password = try section["password"]?.string() ?? ""
        if let passwordFile = section["password_file"] {
            let file = try passwordFile.string()
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw ConfigurationError.unreadable(
                    file: file, path: passwordFile.path, expected: "a readable file holding the password")
            }
            password = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        return .init(username: try section["username"]?.string() ?? "", password: password)
    }

    /// A mapping of header name to a list of values (`proxy_connect_header`).
    private static func headerLists(_ node: Section) throws(ConfigurationError) -> [String: [String]] {
        guard case .mapping(let mapping) = node.node else { throw node.error("", "a mapping of header to values") }
        var headers: [String: [String]] = [:]
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            headers[name] = try Section(value, path: "\(node.path).\(name)").list { item throws(ConfigurationError) in
                try item.string()
            }
        }
        return headers
    }
}
