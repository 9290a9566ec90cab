import BridgeHTTP
import Foundation

/// Checks that the apiserver answers and which version it runs (`/healthz`, `/version`), for
/// start-up logs and `stackbridge check`.
public enum APIServerProbe {
    /// What `/version` reports.
    public struct Version: Decodable, Sendable, Equatable {
        /// Creates a version.
        public init(major: String, minor: String, gitVersion: String) {
            self.major = major
            self.minor = minor
            self.gitVersion = gitVersion
        }

        /// Major version, such as "1".
        public let major: String
        /// Minor version, such as "21" (managed clusters may add a "+").
        public let minor: String
        /// The full version, such as "v1.21.14".
        public let gitVersion: String
    }

    /// GETs `/healthz` (must answer `ok`) and `/version`.
    public static func check(_ config: APIServerConfig, client: HTTPClient) async throws(HTTPError) -> Version {
        let base = config.server.hasSuffix("/") ? String(config.server.dropLast()) : config.server
        let health = try await client.execute(HTTPRequest(url: base + "/healthz", security: config.security))
            .requireSuccess(url: base + "/healthz")
        guard String(decoding: health.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "ok"
        else {
            throw HTTPError(kind: .other, url: base + "/healthz", detail: "apiserver is not healthy")
        }
        let response = try await client.execute(HTTPRequest(url: base + "/version", security: config.security))
            .requireSuccess(url: base + "/version")
        do {
            return try JSONDecoder().decode(Version.self, from: Data(response.body))
        } catch {
            throw HTTPError(kind: .other, url: base + "/version", detail: "not a version document: \(error)")
        }
    }
}
