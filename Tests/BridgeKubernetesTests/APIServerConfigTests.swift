import BridgeCore
import BridgeHTTP
import BridgeKubernetes
import BridgeTestPeers
import Foundation
import Testing

@Suite struct APIServerConfigTests {
    let directory = NSTemporaryDirectory() + "stackbridge-kube-\(UUID().uuidString)"

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func write(_ text: String, _ name: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func notInAPodMeansNoInClusterConfig() throws {
        #expect(try InClusterConfig.load(environment: [:], directory: directory) == nil)
    }

    @Test func inClusterConfigReachesATLSServerWithTheServiceAccountToken() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let account = directory + "/serviceaccount"
        try FileManager.default.createDirectory(atPath: account, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: certificates.caFile, toPath: account + "/ca.crt")
        try "sa-token-1\n".write(toFile: account + "/token", atomically: true, encoding: .utf8)
        try "monitoring".write(toFile: account + "/namespace", atomically: true, encoding: .utf8)
        let server = try FixtureServer(
            tls: (certificates.serverCert, certificates.serverKey), tokenFile: account + "/token")
        let config = try #require(
            try InClusterConfig.load(
                environment: ["KUBERNETES_SERVICE_HOST": "localhost", "KUBERNETES_SERVICE_PORT": String(server.port)],
                directory: account
            )
        )
        #expect(config.server == "https://localhost:\(server.port)")
        #expect(config.namespace == "monitoring")
        #expect(config.security.bearerTokenFile == account + "/token")
        let response = try await HTTPClient().execute(
            HTTPRequest(url: config.server + "/auth", security: config.security))
        #expect(response.status == 200)
    }

    @Test func inAPodWithoutATokenFailsClearly() {
        #expect {
            _ = try InClusterConfig.load(
                environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"], directory: directory + "/none")
        } throws: { error in
            "\(error)".contains("service account token: invalid value")
                && "\(error)".contains("automountServiceAccountToken")
        }
    }

    @Test func ipv6ServiceHostIsBracketed() throws {
        let account = directory + "/sa6"
        try FileManager.default.createDirectory(atPath: account, withIntermediateDirectories: true)
        try "t".write(toFile: account + "/token", atomically: true, encoding: .utf8)
        let config = try InClusterConfig.load(environment: ["KUBERNETES_SERVICE_HOST": "fd00::1"], directory: account)
        #expect(config?.server == "https://[fd00::1]:443")
    }

    @Test func kubeconfigCurrentContextWithInlineCredentials() throws {
        let ca = Data("-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n".utf8).base64EncodedString()
        let path = try write(
            """
            apiVersion: v1
            kind: Config
            current-context: prod
            clusters:
            - name: prod-cluster
              cluster:
                server: https://api.prod.example.com:6443
                certificate-authority-data: \(ca)
                tls-server-name: kubernetes.default
            - name: dev-cluster
              cluster:
                server: https://dev.example.com
                insecure-skip-tls-verify: true
            users:
            - name: admin
              user:
                token: s3cr3t-token
                client-certificate: certs/admin.crt
                client-key: /abs/admin.key
            contexts:
            - name: prod
              context: {cluster: prod-cluster, user: admin, namespace: monitoring}
            - name: dev
              context: {cluster: dev-cluster}
            """, "config")
        let material = directory + "/material"
        let config = try Kubeconfig.load(path: path, materialDirectory: material)
        #expect(config.server == "https://api.prod.example.com:6443")
        #expect(config.namespace == "monitoring")
        #expect(config.security.serverName == "kubernetes.default")
        #expect(config.security.caFile == material + "/ca.crt")
        #expect(try String(contentsOfFile: material + "/ca.crt", encoding: .utf8).contains("BEGIN CERTIFICATE"))
        #expect(config.security.bearerTokenFile == material + "/token")
        #expect(try String(contentsOfFile: material + "/token", encoding: .utf8) == "s3cr3t-token")
        let mode = try FileManager.default.attributesOfItem(atPath: material + "/token")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(config.security.certFile == directory + "/certs/admin.crt")
        #expect(config.security.keyFile == "/abs/admin.key")
        #expect(!config.source.description.contains("s3cr3t"))
        let dev = try Kubeconfig.load(path: path, context: "dev", materialDirectory: material)
        #expect(dev.server == "https://dev.example.com")
        #expect(dev.security.insecureSkipVerify)
        #expect(dev.security.bearerTokenFile == nil)
    }

    @Test(arguments: [
        (
            "current-context: \"\"\ncontexts: []",
            #"current-context: invalid value "" (expected the name of a context (or pass one explicitly))"#
        ),
        ("current-context: nope\ncontexts: []", #"contexts: invalid value "nope" (expected a context named nope)"#),
        (
            "current-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\nclusters: []",
            #"clusters: invalid value "c" (expected a cluster named c with a server URL)"#
        ),
        (
            "current-context: a\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: https://x}\nusers:\n- name: u\n  user:\n    exec: {command: aws}",
            #"users[u]: invalid value "exec/auth-provider" (expected a token, token file or client certificate; credential plugins are not supported)"#
        ),
        (
            "current-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: https://x, certificate-authority-data: \"%%%\"}",
            #"certificate-authority-data: invalid value "(3 characters)" (expected base64 data)"#
        ),
    ])
    func badKubeconfigsNameTheFileKeyAndExpectation(_ yaml: String, _ message: String) throws {
        let path = try write(yaml, "bad-\(UUID().uuidString)")
        #expect {
            _ = try Kubeconfig.load(path: path, materialDirectory: directory + "/m")
        } throws: { error in
            "\(error)" == "\(path): \(message)"
        }
    }
}
