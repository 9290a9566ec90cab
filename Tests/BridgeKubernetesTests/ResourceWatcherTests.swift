import BridgeHTTP
import BridgeKubernetes
import BridgeTestPeers
import BridgeTopology
import Foundation
import Logging
import Testing

/// The watcher against a fake apiserver with real list and watch semantics (fake_apiserver.py).
@Suite struct ResourceWatcherTests {
    let client = HTTPClient(userAgent: "stackbridge-test")

    func control(_ server: FixtureServer, _ path: String) async throws {
        var request = HTTPRequest(url: server.baseURL + path, method: .post, body: [])
        request.acceptCompression = false
        _ = try await client.execute(request).requireSuccess(url: path)
    }

    func watches(_ server: FixtureServer) async throws -> Int {
        let body = try await client.execute(HTTPRequest(url: server.baseURL + "/control/watches")).body
        let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Int]
        return object?["watches"] ?? -1
    }

    /// Runs a pods watcher while `body` runs.
    func withWatcher(
        _ server: FixtureServer,
        store: ClusterStore,
        logs: LogCapture = LogCapture(),
        kind: ResourceKind = .pods,
        _ body: () async throws -> Void
    ) async throws {
        let config = APIServerConfig(server: server.baseURL, security: EndpointSecurity(), source: .configuration)
        let watcher = ResourceWatcher(
            kind: kind, config: config, client: client, store: store, logger: logs.logger(), watchTimeout: .seconds(30),
            pageSize: 3
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await watcher.run() }
            try await body()
            group.cancelAll()
        }
    }

    func waitFor(_ store: ClusterStore, _ condition: (ClusterState) -> Bool) async -> Bool {
        for _ in 0..<500 {
            if condition(store.snapshot) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(store.snapshot)
    }

    func podNames(_ state: ClusterState) -> [String] { state.pods.keys.map(\.name).sorted() }

    @Test func listsInPagesThenFollowsTheWatch() async throws {
        let server = try FixtureServer.fakeAPIServer()
        let store = ClusterStore(clusterName: "test")
        try await withWatcher(server, store: store) {
            #expect(await waitFor(store) { $0.pods.count == 7 })
            try await control(server, "/control/add?name=new-pod&node=node-9")
            #expect(await waitFor(store) { $0.pods[ObjectKey("default", "new-pod")]?.spec?.nodeName == "node-9" })
            try await control(server, "/control/delete?name=seed-0")
            #expect(await waitFor(store) { $0.pods[ObjectKey("default", "seed-0")] == nil })
            #expect(podNames(store.snapshot).count == 7)
        }
    }

    @Test func aDroppedWatchResumesWithoutRelisting() async throws {
        let server = try FixtureServer.fakeAPIServer()
        let store = ClusterStore(clusterName: "test")
        try await withWatcher(server, store: store) {
            #expect(await waitFor(store) { $0.pods.count == 7 })
            let before = try await watches(server)
            try await control(server, "/control/drop")
            try await control(server, "/control/add?name=after-drop")
            #expect(await waitFor(store) { $0.pods[ObjectKey("default", "after-drop")] != nil })
            #expect(try await watches(server) > before)
        }
    }

    @Test func goneRelistsAndRemovesWhatWasDeletedMeanwhile() async throws {
        let server = try FixtureServer.fakeAPIServer()
        let store = ClusterStore(clusterName: "test")
        let logs = LogCapture()
        try await withWatcher(server, store: store, logs: logs) {
            #expect(await waitFor(store) { $0.pods.count == 7 })
            // The pod disappears without an event and history is compacted past it; cutting the
            // watch makes the watcher resume from a version that is now too old (ERROR 410), so it
            // must relist, and only the relist can show the deletion.
            try await control(server, "/control/silent-delete?name=seed-3")
            try await control(server, "/control/drop")
            #expect(await waitFor(store) { $0.pods[ObjectKey("default", "seed-3")] == nil && $0.pods.count == 6 })
            #expect(logs.records.contains { $0.message == "k8s watch expired, relisting" })
            try await control(server, "/control/add?name=after-relist")
            #expect(await waitFor(store) { $0.pods[ObjectKey("default", "after-relist")] != nil })
            // The server (Kubernetes 1.21) refused the streaming list once; every list since is paged.
            let refused = logs.records.filter { $0.message == "k8s streaming lists not offered, listing in pages" }
            #expect(refused.count == 1 && refused.first?.metadata["k8s.reason"] == "HTTP 422", "\(refused)")
            #expect(!logs.records.contains { $0.level >= .warning && $0.metadata["k8s.step"] == "streaming list" })
        }
    }

    @Test func anExpiredContinueTokenRestartsTheList() async throws {
        let server = try FixtureServer.fakeAPIServer()
        try await control(server, "/control/expire-continue")
        let store = ClusterStore(clusterName: "test")
        try await withWatcher(server, store: store) {
            #expect(await waitFor(store) { $0.pods.count == 7 })
        }
    }

    @Test func cronJobsFallBackToBatchV1beta1OnOldClusters() async throws {
        let server = try FixtureServer.fakeAPIServer()
        let store = ClusterStore(clusterName: "test")
        let logs = LogCapture()
        try await withWatcher(server, store: store, logs: logs, kind: .cronJobs) {
            #expect(await waitFor(store) { $0.cronJobs[ObjectKey("default", "nightly")] != nil })
        }
        let moved = logs.records.first { $0.message == "k8s resource served at an older version" }
        #expect(moved?.metadata["k8s.path"] == "/apis/batch/v1beta1/cronjobs")
        #expect(!logs.records.contains { $0.level == .error })
    }

    @Test func probeReadsHealthAndVersion() async throws {
        let server = try FixtureServer.fakeAPIServer()
        let config = APIServerConfig(server: server.baseURL, security: EndpointSecurity(), source: .configuration)
        let version = try await APIServerProbe.check(config, client: client)
        #expect(version == APIServerProbe.Version(major: "1", minor: "21", gitVersion: "v1.21.14"))
        let down = APIServerConfig(
            server: "http://127.0.0.1:\(try PeerProcess.freePort())", security: EndpointSecurity(),
            source: .configuration)
        await #expect {
            _ = try await APIServerProbe.check(down, client: client)
        } throws: { ($0 as? HTTPError)?.kind == .connect }
    }

    @Test func forbiddenResourceIsDisabledWithTheRBACRule() async throws {
        let server = try FixtureServer.fakeAPIServer()
        let store = ClusterStore(clusterName: "test")
        let logs = LogCapture()
        let deployments = try #require(ResourceKind.all.first { $0.resource == "deployments.apps" })
        let config = APIServerConfig(server: server.baseURL, security: EndpointSecurity(), source: .configuration)
        let watcher = ResourceWatcher(
            kind: deployments, config: config, client: client, store: store, logger: logs.logger())
        try await watcher.run()  // returns by itself once disabled
        let errors = logs.records.filter { $0.level == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.message == "k8s resource disabled")
        #expect(
            errors.first?.metadata["k8s.reason"]?.contains(#"apiGroups: ["apps"], resources: ["deployments"]"#) == true)
    }

    @Test func metadataOnlyKindsAskForMetadataAndNothingElse() throws {
        for name in ["secrets", "configmaps"] {
            let kind = try #require(ResourceKind.all.first { $0.resource == name })
            #expect(kind.metadataOnly)
            #expect(kind.accept == "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")
            #expect(kind.watchAccept == "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")
        }
    }

    /// A list (secrets) or a watch event (config maps) with whole objects where metadata was asked
    /// for: the resource is disabled with a clear reason, and the data is neither kept nor logged.
    @Test(arguments: ["secrets", "configmaps"])
    func wholeObjectsWhereMetadataWasAskedForAreRefusedUnread(_ name: String) async throws {
        let server = try FixtureServer.fakeAPIServer()
        let store = ClusterStore(clusterName: "test")
        let logs = LogCapture()
        let kind = try #require(ResourceKind.all.first { $0.resource == name })
        let config = APIServerConfig(server: server.baseURL, security: EndpointSecurity(), source: .configuration)
        let watcher = ResourceWatcher(kind: kind, config: config, client: client, store: store, logger: logs.logger())
        try await watcher.run()  // returns by itself once disabled
        let errors = logs.records.filter { $0.level == .error }
        #expect(errors.map(\.message) == ["k8s resource disabled"])
        #expect(errors.first?.metadata["k8s.reason"]?.contains("not serve \(name) as metadata only") == true)
        #expect(store.snapshot.secrets.isEmpty && store.snapshot.configMaps.isEmpty)
        let everything = logs.records.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        #expect(!everything.contains("4711") && !everything.contains("ZmFrZS1zZWNyZXQ"), "\(everything)")
    }

    @Test func malformedObjectsAreSkippedWithTheirNamesAndTheSyncGoesOn() async throws {
        let server = try FixtureServer.fakeAPIServer()
        try await control(server, "/control/add?name=broken-listed&malformed=1")
        let store = ClusterStore(clusterName: "test")
        let logs = LogCapture()
        try await withWatcher(server, store: store, logs: logs) {
            #expect(await waitFor(store) { $0.pods.count == 7 })
            try await control(server, "/control/add?name=broken-watched&malformed=1")
            try await control(server, "/control/add?name=fine-after")
            #expect(await waitFor(store) { $0.pods.contains(ObjectKey("default", "fine-after")) })
        }
        #expect(!podNames(store.snapshot).contains { $0.hasPrefix("broken") })
        let skipped = logs.records.filter { $0.message == "k8s object skipped" }
        #expect(skipped.map { $0.metadata["k8s.name"] } == ["broken-listed", "broken-watched"])
        #expect(skipped.allSatisfy { $0.metadata["k8s.resource"] == "pods" })
        #expect(skipped.first?.metadata["k8s.reason"]?.contains("spec.containers") == true, "\(skipped)")
    }
}
