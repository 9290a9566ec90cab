import BridgeTopology
import Foundation
import Testing

@Suite struct HealthAndEventTests {
    let rules = HealthRules()

    func pod(_ json: String) throws -> Pod {
        try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
    }

    @Test func nodesFromTheFixture() throws {
        let state = try fixtureCluster()
        #expect(rules.health(of: try #require(state.nodes["node-1"])) == Health(.clear, "node is Ready"))
        #expect(
            rules.health(of: try #require(state.nodes["node-2"]))
                == Health(.critical, "node is not Ready (False): KubeletNotReady")
        )
        let bare = try JSONDecoder().decode(Node.self, from: Data(#"{"metadata":{"name":"n"}}"#.utf8))
        #expect(rules.health(of: bare).state == .deviating)
    }

    @Test func workloadsCompareReadyWithDesired() throws {
        let state = try fixtureCluster()
        #expect(
            rules.health(of: try #require(state.deployments[ObjectKey("shop", "web")]))
                == Health(.deviating, "1 of 2 replicas ready"))
        #expect(rules.health(of: try #require(state.statefulSets[ObjectKey("shop", "db")])).state == .clear)
        #expect(
            rules.health(of: try #require(state.daemonSets[ObjectKey("ops", "agent")]))
                == Health(.clear, "2 of 2 replicas ready"))
        #expect(rules.health(of: try #require(state.replicaSets[ObjectKey("shop", "orphan-rs")])).state == .clear)
        let down = try JSONDecoder().decode(
            Workload.self, from: Data(#"{"metadata":{"name":"w"},"spec":{"replicas":3},"status":{}}"#.utf8))
        #expect(rules.health(of: down) == Health(.critical, "0 of 3 replicas ready"))
    }

    @Test(arguments: [
        (
            #"{"phase":"Running","containerStatuses":[{"name":"a","ready":true,"restartCount":0}]}"#, HealthState.clear,
            "pod is running"
        ),
        (#"{"phase":"Succeeded"}"#, .clear, "pod completed"),
        (#"{"phase":"Pending"}"#, .deviating, "pod is pending"),
        (#"{"phase":"Failed","reason":"Evicted"}"#, .critical, "pod failed: Evicted"),
        (
            #"{"phase":"Running","containerStatuses":[{"name":"a","ready":false,"restartCount":7,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}"#,
            .critical, "container a is waiting: CrashLoopBackOff"
        ),
        (
            #"{"phase":"Running","containerStatuses":[{"name":"a","ready":true,"restartCount":5}]}"#, .deviating,
            "container a restarted 5 times"
        ),
        (
            #"{"phase":"Running","containerStatuses":[{"name":"a","ready":true},{"name":"b","ready":false}]}"#,
            .deviating, "containers not ready: b"
        ),
        (#"{"phase":"Unknown"}"#, .deviating, "pod phase is Unknown"),
    ])
    func podHealth(_ status: String, _ state: HealthState, _ reason: String) throws {
        let health = rules.health(of: try pod(#"{"metadata":{"name":"p"},"status":"# + status + "}"))
        #expect(health == Health(state, reason))
    }

    @Test(arguments: [
        ("Scheduled", "Normal", EventCategory.activities), ("Pulled", "Normal", .activities),
        ("BackOff", "Normal", .activities), ("NotTriggerScaleUp", "Normal", .alerts),
        ("SandboxChanged", "Normal", .changes), ("SuccessfulCreate", "Normal", .changes),
        ("SuccesfulCreate", "Normal", .changes), ("ScalingReplicaSet", "Normal", .others),
        ("BackOff", "Warning", .activities), ("ImageGCFailed", "Warning", .activities),
        ("NodeNotReady", "Warning", .activities), ("NotTriggerScaleUp", "Warning", .alerts),
        ("FailedMount", "Warning", .others), ("Whatever", "Warning", .others),
    ])
    func builtInCategories(_ reason: String, _ type: String, _ expected: EventCategory) {
        #expect(EventCategorizer().category(reason: reason) == expected)
    }

    @Test func overridesComeFirst() {
        let categorizer = EventCategorizer(overrides: ["BackOff": .changes, "ScalingReplicaSet": .activities])
        #expect(categorizer.category(reason: "BackOff") == .changes)
        #expect(categorizer.category(reason: "ScalingReplicaSet") == .activities)
        #expect(categorizer.category(reason: "Killing") == .activities)
    }

    @Test func healthStatesOrderBySeverity() {
        #expect(HealthState.clear < .deviating && HealthState.deviating < .critical)
        #expect([HealthState.deviating, .critical, .clear].max() == .critical)
    }
}
