import BridgeSimulator
import BridgeTopology
import Foundation
import Testing

@Suite struct SimulatorAPITests {
    func api() -> SimulatorAPI {
        SimulatorAPI(cluster: SimulatedCluster(nodes: 3, podsPerNode: 10), historyLimit: 5)
    }

    @Test func listsPageThroughEveryObjectOnce() throws {
        var api = api()
        var names: [String] = []
        var token: String?
        repeat {
            let page = try api.list("pods", limit: 7, continueToken: token)
            names += page.items.map { "\($0.namespace ?? "")/\($0.name)" }
            token = page.continueToken
        } while token != nil
        #expect(names.count == Set(names).count)
        #expect(names.count == (try api.list("pods")).items.count)
        #expect(try api.list("pods", namespace: "kube-system").items.allSatisfy { $0.namespace == "kube-system" })
        let onNode = try api.list("pods", nodeName: "node-1").items
        #expect(!onNode.isEmpty)
        #expect(onNode.allSatisfy { $0.json["spec"]?["nodeName"]?.stringValue == "node-1" })
    }

    @Test func churnProducesWatchEventsWithResumableVersions() throws {
        var api = api()
        let start = api.resourceVersion
        api.churn()
        let events = try api.events("pods", after: start)
        #expect(events.map(\.type) == ["DELETED", "ADDED"])
        for event in events {
            let decoded = try event.object.decoded()
            #expect(decoded.metadata.resourceVersion == String(event.resourceVersion))
        }
        #expect(try api.events("pods", after: events[0].resourceVersion).count == 1)
        #expect(try api.events("deployments.apps", after: start).isEmpty)
        let recorded = try api.events("events.events.k8s.io", after: start).map { change in
            guard case .event(let event) = try change.object.decoded() else { return "not an event" }
            return "\(change.type) \(event.reason ?? "") \(event.regarding?.name ?? "")"
        }
        let names = events.map { $0.object.name }
        #expect(recorded == ["ADDED Killing \(names[0])", "ADDED Scheduled \(names[1])"])
    }

    @Test func churnPicksTheSameVictimsWhetherItsCandidatesAreKeptOrRebuilt() throws {
        let cluster = SimulatedCluster(nodes: 3, podsPerNode: 10)
        var kept = SimulatorAPI(cluster: cluster, historyLimit: 10_000)
        var rebuilt = SimulatorAPI(cluster: cluster, historyLimit: 10_000)
        let bare = try #require(try rebuilt.list("pods").items.first { $0.json["metadata"]?["ownerReferences"] == nil })
        func victims(_ api: SimulatorAPI) throws -> [String] {
            try api.events("pods", after: 0).filter { $0.type == "DELETED" }.map(\.object.name)
        }
        for step in 0..<60 {
            kept.churn()
            // Any other change to pods makes the churn list its candidates afresh.
            rebuilt.apply("ADDED", bare)
            rebuilt.churn()
            #expect(try victims(kept) == victims(rebuilt), "step \(step)")
        }
        let names = try victims(kept)
        #expect(names.count == 60)
        // Replacements are candidates too: some churned pods are churned again.
        #expect(names.contains { $0.contains("-r") })
    }

    @Test func oldVersionsAndTokensAreGone() throws {
        var api = api()
        let start = api.resourceVersion
        let page = try api.list("pods", limit: 5)
        for _ in 0..<4 { api.churn() }  // 8 events; the log keeps 5
        #expect(throws: SimulatorAPI.Failure.self) { _ = try api.events("pods", after: start) }
        #expect(throws: SimulatorAPI.Failure.self) {
            _ = try api.list("pods", limit: 5, continueToken: page.continueToken)
        }
        api.compact()
        #expect(throws: SimulatorAPI.Failure.self) { _ = try api.events("pods", after: api.resourceVersion - 1) }
        #expect(try api.events("pods", after: api.resourceVersion).isEmpty)
    }
}
