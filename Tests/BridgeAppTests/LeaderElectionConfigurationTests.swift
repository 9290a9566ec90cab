import BridgeHTTP
import BridgeKubernetes
import Testing

@testable import BridgeApp

/// `kubernetes.leader_election:`: defaults by mode, every key, and the timing rules.
@Suite struct LeaderElectionConfigurationTests {
    let apiServer = APIServerConfig(
        server: "https://10.96.0.1", security: EndpointSecurity(), namespace: "from-service-account",
        source: .inCluster)

    func settings(_ yaml: String, environment: [String: String] = [:]) throws -> LeaderElector.Settings? {
        try Bridge.resolveElection(
            try Configuration.parse("cluster_name: c\n" + yaml), apiServer: apiServer, environment: environment)
    }

    @Test func onByDefaultInClusterModeOnlyAndNamespacedWhereThePodRuns() throws {
        let cluster = try #require(try settings("mode: cluster", environment: ["POD_NAME": "sb-7f9c-x2"]))
        #expect(cluster.leaseName == "stackbridge")
        #expect(cluster.namespace == "from-service-account")
        #expect(cluster.identity.hasPrefix("sb-7f9c-x2_"))
        #expect(cluster.leaseDuration == .seconds(15) && cluster.renewDeadline == .seconds(10))
        #expect(cluster.retryPeriod == .seconds(2))
        #expect(try settings("mode: cluster", environment: ["POD_NAMESPACE": "monitoring"])?.namespace == "monitoring")
        #expect(try settings("mode: all") == nil)
        #expect(try settings("mode: node") == nil)
        #expect(try settings("mode: all\nkubernetes: {leader_election: {enabled: true}}") != nil)
        #expect(try settings("mode: cluster\nkubernetes: {leader_election: {enabled: false}}") == nil)
    }

    @Test func everyKeyIsRead() throws {
        let election = try #require(
            try settings(
                """
                mode: cluster
                kubernetes:
                  leader_election:
                    lease_name: sb-prod
                    lease_namespace: observability
                    lease_duration: 30s
                    renew_deadline: 20s
                    retry_period: 4s
                """))
        #expect(election.leaseName == "sb-prod" && election.namespace == "observability")
        #expect(election.leaseDuration == .seconds(30) && election.renewDeadline == .seconds(20))
        #expect(election.retryPeriod == .seconds(4))
    }

    @Test func badTimingsAndNodeModeAreNamed() throws {
        #expect {
            _ = try settings("kubernetes: {leader_election: {lease_duration: 10s, renew_deadline: 10s}}")
        } throws: { error in
            "\(error)".hasPrefix(
                "kubernetes.leader_election.renew_deadline: invalid value \"10s\" (expected less than kubernetes.leader_election.lease_duration (10s))"
            )
        }
        #expect {
            _ = try settings("kubernetes: {leader_election: {retry_period: 9s}}")
        } throws: { error in
            "\(error)".hasPrefix("kubernetes.leader_election.retry_period: invalid value \"9s\"")
        }
        #expect {
            _ = try settings("kubernetes: {leader_election: {lease_time: 9s}}")
        } throws: { error in
            "\(error)".contains("kubernetes.leader_election.lease_time") && "\(error)".contains("lease_duration")
        }
        #expect {
            _ = try settings("mode: node\nkubernetes: {leader_election: {enabled: true}}")
        } throws: { error in
            "\(error)".hasPrefix(
                "kubernetes.leader_election.enabled: invalid value \"true\" (expected false in node mode")
        }
        #expect {
            _ = try settings(
                """
                mode: shard
                kubernetes: {leader_election: {enabled: true}}
                scrape: {kube_state_metrics: {urls: ['http://localhost:8080/metrics'], telemetry_url: 'http://localhost:8081/metrics'}}
                """)
        } throws: { error in
            "\(error)".hasPrefix(
                "kubernetes.leader_election.enabled: invalid value \"true\" (expected false in shard mode")
        }
    }
}
