import BridgeCore
import BridgeHTTP
import Foundation

/// The apiserver as a pod sees it: `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT`, and the
/// service account's CA, token and namespace under `/var/run/secrets/kubernetes.io/serviceaccount`.
/// The token is used as a file, so projected-token rotation is picked up (BridgeHTTP re-reads it).
public enum InClusterConfig {
    /// The service account directory Kubernetes mounts into every pod.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The in-cluster configuration, or nil when not running in a pod (no `KUBERNETES_SERVICE_HOST`).
    /// Throws when inside a pod but the service account files are missing.
    public static func load(
        environment: [String: String],
        directory: String = serviceAccountDirectory
    ) throws(ConfigurationError) -> APIServerConfig? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else { return nil }
        let port = environment["KUBERNETES_SERVICE_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "443"
        let token = directory + "/token"
        guard FileManager.default.isReadableFile(atPath: token) else {
            throw ConfigurationError(
                path: "service account token",
                value: token,
                expected: "a readable token file (is automountServiceAccountToken disabled for the pod?)"
            )
        }
        let ca = directory + "/ca.crt"
        let namespace = (try? String(contentsOfFile: directory + "/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return APIServerConfig(
            server: "https://\(bracketed):\(port)",
            security: EndpointSecurity(
                caFile: FileManager.default.fileExists(atPath: ca) ? ca : nil,
                bearerTokenFile: token
            ),
            namespace: namespace,
            source: .inCluster
        )
    }
}
