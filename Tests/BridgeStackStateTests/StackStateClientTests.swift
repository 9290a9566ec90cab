import BridgeHTTP
import BridgeSimulator
import BridgeTestPeers
import BridgeTopology
import Foundation
import Testing

@testable import BridgeStackState

/// The client against the receiver double served by stackbridge-sim, and against scripted answers.
@Suite struct StackStateClientTests {
    let client = HTTPClient(userAgent: "stackbridge-test")

    func encode(_ payload: IntakePayload) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(payload))
    }

    @Test func snapshotsReachTheReceiverDoubleGzipped() async throws {
        let simulator = try SimulatorProcess(["--nodes", "2", "--pods-per-node", "6", "--receiver-api-key", "k-123"])
        defer { simulator.stop() }
        let sender = StackStateClient(
            endpoint: StackStateEndpoint(url: simulator.url + "/receiver/stsAgent", apiKey: "k-123"), client: client,
            userAgent: "stackbridge/test")
        let cluster = SimulatedCluster(name: "sim", nodes: 2, podsPerNode: 6)
        let topology = TopologyBuilder.build(cluster.state)
        var snapshot = TopologySnapshots(clusterName: "sim", capacity: 200).begin(topology, hostname: "bridge-sim")
        while let payload = snapshot.next() {
            #expect(await sender.post(try encode(payload), to: "/intake/") == .sent)
        }
        let summary =
            try JSONSerialization.jsonObject(
                with: try await PeerProcess.fetch(simulator.url + "/receiver/stsAgent/received", accept: "*/*").0)
            as? [String: Any]
        #expect(summary?["snapshots"] as? Int == 1)
        #expect((summary?["components"] as? [String])?.count == topology.components.count)
        #expect(summary?["relations"] as? Int == topology.relations.count)
        #expect((summary?["problems"] as? [String]) == [])
    }

    @Test func aRedirectIsDroppedAndTheAPIKeyNeverLeavesTheReceiversOrigin() async throws {
        let elsewhere = try FixtureServer()
        let origin = try FixtureServer(redirectTo: elsewhere.baseURL)
        let sender = StackStateClient(
            endpoint: StackStateEndpoint(url: origin.baseURL + "/moved/307/receiver/stsAgent", apiKey: "sts-key-4711"),
            client: client, userAgent: "stackbridge/test")
        let outcome = await sender.post(Array(#"{"events":{}}"#.utf8), to: "/intake/")
        guard case .drop(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason.contains("HTTP 307 redirect to \(elsewhere.baseURL)/receiver/stsAgent/intake/?api_key=REDACTED"))
        #expect(!reason.contains("sts-key-4711"))
        #expect(try await elsewhere.received().isEmpty)
        #expect(try await origin.received().contains("sts-api-key: sts-key-4711"))
    }

    @Test func aWrongKeyIsReportedAsSuchAndNeverShown() async throws {
        let simulator = try SimulatorProcess(["--nodes", "1", "--pods-per-node", "2", "--receiver-api-key", "right"])
        defer { simulator.stop() }
        let sender = StackStateClient(
            endpoint: StackStateEndpoint(url: simulator.url + "/receiver/stsAgent", apiKey: "wrong-secret-key"),
            client: client, userAgent: "t")
        let outcome = await sender.post(try encode(IntakePayload(internalHostname: "h")), to: "/intake/")
        guard case .drop(let reason) = outcome else {
            Issue.record("expected a drop, got \(outcome)")
            return
        }
        #expect(reason.hasPrefix("HTTP 403: the API key is not valid"))
        #expect(!reason.contains("wrong-secret-key"))
    }

    @Test func answersFollowTheAgentsRules() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        func outcome(_ code: Int) async -> StackStateClient.Outcome {
            let endpoint = StackStateEndpoint(url: server.baseURL + "/write", apiKey: "k")
            return await StackStateClient(endpoint: endpoint, client: client, userAgent: "t").post([], to: "/\(code)")
        }
        #expect(await outcome(200) == .sent)
        #expect(await outcome(202) == .sent)
        for code in [401, 429, 500, 503] { #expect(await outcome(code) == .retry(reason: "http_\(code)")) }
        for code in [400, 404, 413] { #expect(await outcome(code) == .drop(reason: "HTTP \(code): scripted \(code)")) }
        #expect(
            await outcome(403) == .drop(reason: "HTTP 403: the API key is not valid for this receiver (scripted 403)"))
    }
}
