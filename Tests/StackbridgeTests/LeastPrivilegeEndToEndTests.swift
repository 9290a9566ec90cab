import BridgeTestPeers
import Foundation
import Testing
import Yams

/// The roles in deploy/ grant exactly what the bridge uses: the deployment kit's own `cluster`
/// and `node` configurations run against the simulator, which records every API request by RBAC
/// verb and resource, and the verbs the roles grant must be those requests, no more, no fewer.
@Suite(.serialized) struct LeastPrivilegeEndToEndTests {
    static let base = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/base")

    /// `verb resource` pairs granted by the Roles and ClusterRoles in `files` (names as RBAC has
    /// them: `resource.group`, `resource/subresource`).
    static func granted(_ files: [String]) throws -> Set<String> {
        var grants: Set<String> = []
        for file in files {
            let text = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
            for document in try Yams.load_all(yaml: text) {
                guard let object = document as? [String: Any],
                    ["Role", "ClusterRole"].contains(object["kind"] as? String)
                else { continue }
                for rule in object["rules"] as? [[String: Any]] ?? [] {
                    for group in rule["apiGroups"] as? [String] ?? [] {
                        for resource in rule["resources"] as? [String] ?? [] {
                            for verb in rule["verbs"] as? [String] ?? [] {
                                grants.insert("\(verb) \(resource)\(group.isEmpty ? "" : "." + group)")
                            }
                        }
                    }
                }
            }
        }
        return grants
    }

    /// Runs the bridge with the deployment kit's configuration `file` against a fresh simulator
    /// until it is ready and `seconds` more have passed; returns the `verb resource` pairs it used.
    static func used(
        config file: String, environment extra: [String: String], seconds: Int, simulatorArguments: [String] = []
    ) async throws -> Set<String> {
        let simulator = try SimulatorProcess(
            ["--nodes", "2", "--pods-per-node", "3", "--receiver-api-key", "rbac-key"] + simulatorArguments)
        defer { simulator.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rbac-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "rbac-key\n".write(to: directory.appendingPathComponent("api-key"), atomically: true, encoding: .utf8)
        // The kit's file as shipped, pointed at the simulator and sped up.
        var config =
            try Yams.load(
                yaml: String(contentsOf: base.appendingPathComponent("config/\(file)"), encoding: .utf8))
            as? [String: Any]
            ?? [:]
        var kubernetes = config["kubernetes"] as? [String: Any] ?? [:]
        kubernetes["api_server"] = simulator.url
        kubernetes["leader_election"] = ["lease_duration": "3s", "renew_deadline": "2s", "retry_period": "500ms"]
        if config["mode"] as? String == "node" { kubernetes["leader_election"] = nil }
        config["kubernetes"] = kubernetes
        var scrape = config["scrape"] as? [String: Any] ?? [:]
        (scrape["interval"], scrape["timeout"]) = ("1s", "1s")
        config["scrape"] = scrape
        var stackstate = config["stackstate"] as? [String: Any] ?? [:]
        stackstate["url"] = simulator.url + "/receiver/stsAgent"
        stackstate["api_key_file"] = directory.appendingPathComponent("api-key").path
        (stackstate["topology_interval"], stackstate["metrics_interval"]) = ("1s", "1s")
        config["stackstate"] = stackstate
        let path = directory.appendingPathComponent("config.yaml").path
        try Yams.dump(object: config).write(toFile: path, atomically: true, encoding: .utf8)
        let port = try PeerProcess.freePort()
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { $1 }
        let bridge = try PeerProcess(
            PeerProcess.builtProduct("stackbridge"),
            ["run", "--config", path, "--listen", "127.0.0.1:\(port)", "--log-level", "error"], environment: environment
        )
        defer { bridge.stop() }
        _ = try await PeerProcess.fetch("http://127.0.0.1:\(port)/readyz", accept: "*/*", timeout: .seconds(60))
        try await Task.sleep(for: .seconds(seconds))
        let body = try await PeerProcess.fetch(simulator.url + "/sim/requests", accept: "application/json").0
        let requests = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["requests"] as? [[String: Any]]
        // Lists also by where the API server serves them: `list pods consistent spec.nodeName`. A
        // streaming list (`watch pods streaming`) is the list in another form, and stands for the
        // paged list the bridge falls back to on servers without them: it uses `list` too.
        return Set(
            (requests ?? []).flatMap { request -> [String] in
                let resource = request["resource"] as? String ?? ""
                let plain = "\(request["verb"] as? String ?? "") \(resource)"
                let list = request["list"] as? String ?? ""
                let detailed = "\(plain) \(list) \(request["selector"] as? String ?? "")"
                if list == "streaming" { return [plain, "list \(resource)", detailed] }
                return list.isEmpty ? [plain] : [plain, detailed]
            })
    }

    static func difference(granted: Set<String>, used: Set<String>) -> String {
        "granted but unused: \(granted.subtracting(used).sorted()); used but not granted: \(used.subtracting(granted).sorted())"
    }

    @Test func theClusterRolesGrantExactlyWhatTheClusterDeploymentUses() async throws {
        let used = try await Self.used(
            config: "cluster.yaml", environment: ["POD_NAMESPACE": "stackbridge"], seconds: 3
        ).filter { $0.split(separator: " ").count == 2 }
        let granted = try Self.granted(["rbac-cluster.yaml", "rbac-leases.yaml"])
        #expect(used == granted, "\(Self.difference(granted: granted, used: used))")
        #expect(!granted.contains { $0.hasPrefix("get secrets") || $0.hasPrefix("get configmaps") })
    }

    @Test func theNodeRoleGrantsExactlyWhatTheDaemonSetUses() async throws {
        let requests = try await Self.used(config: "node.yaml", environment: ["NODE_NAME": "node-0"], seconds: 2)
        let used = requests.filter { $0.split(separator: " ").count == 2 }
        let granted = try Self.granted(["rbac-node.yaml"])
        #expect(used == granted, "\(Self.difference(granted: granted, used: used))")
        // Every list is a stream from the watch cache (the simulator offers them, as Kubernetes 1.32
        // and later), the pods' by node: no DaemonSet pod makes the API server read all of the
        // cluster's pods from etcd (reference/large-clusters.md).
        let lists = requests.filter { $0.split(separator: " ").count > 2 }
        #expect(lists.contains("watch pods streaming spec.nodeName"), "\(lists.sorted())")
        #expect(!lists.contains { $0.hasPrefix("list ") }, "paged lists where streams are offered: \(lists.sorted())")
        #expect(
            lists.filter { $0.contains(" pods ") }.allSatisfy { $0.hasSuffix("spec.nodeName") }, "\(lists.sorted())")
    }

    /// On an API server without streaming lists (before Kubernetes 1.32, or with WatchList off) the
    /// node agent pages its lists, still from the watch cache and the pods' by node.
    @Test func withoutStreamingListsTheNodeAgentPagesItsListsFromTheCache() async throws {
        let requests = try await Self.used(
            config: "node.yaml", environment: ["NODE_NAME": "node-0"], seconds: 1,
            simulatorArguments: ["--no-streaming-lists"])
        let lists = requests.filter { $0.hasPrefix("list ") && $0.split(separator: " ").count > 2 }
        #expect(!lists.isEmpty)
        #expect(lists.allSatisfy { $0.contains(" cache") || $0.contains(" continue") }, "\(lists.sorted())")
        #expect(lists.filter { $0.hasPrefix("list pods ") }.allSatisfy { $0.hasSuffix("spec.nodeName") }, "\(lists)")
    }
}
