import BridgeSimulator
import BridgeTopology
import Testing

@testable import BridgeStackState

@Suite struct ProcessAgentMessagesTests {
    /// A node with 150 processes and 250 connections, IPv4 and IPv6, some translated.
    func report() -> ProcessReport {
        var report = ProcessReport(node: "node-7", collectedAt: 0, hostNetNamespace: 1)
        for pid in 1...150 {
            report.processes.append(
                ReportedProcess(
                    pid: Int32(pid), createTime: 1_700_000_000_000 + Int64(pid) * 1000, args: ["/bin/p\(pid)", "-v"],
                    exe: "/bin/p\(pid)", containerId: pid % 2 == 0 ? "c\(pid)" : nil, netNamespace: 4_026_532_000))
        }
        for index in 0..<250 {
            let v6 = index % 5 == 0
            report.connections.append(
                ReportedConnection(
                    pid: Int32(index % 150 + 1), createTime: 1_700_000_000_000 + Int64(index % 150 + 1) * 1000,
                    local: SocketAddress(v6 ? "fd00::1" : "10.0.0.1", 40_000 + index),
                    remote: SocketAddress(v6 ? "fd00::2" : "10.96.0.1", 443),
                    translatedRemote: index % 3 == 0 && !v6 ? SocketAddress("10.244.1.1", 8443) : nil,
                    direction: index % 4 == 0 ? .incoming : .outgoing, netNamespace: 4_026_532_000))
        }
        return report
    }

    @Test func messagesAreFramedBatchedAndReadByTheStrictReceiver() {
        let messages = ProcessAgentMessages.messages(
            of: report(), cluster: "prod", intervalSeconds: 30, groupID: 4, timestamp: 1_796_000_000_000)
        #expect(
            messages.map(\.type) == [
                .collectorProc, .collectorProc, .collectorConnections, .collectorConnections, .collectorConnections,
            ])
        #expect(messages.map(\.items) == [100, 50, 100, 100, 50])
        #expect(messages.allSatisfy { $0.hostname == "node-7-prod" })
        let first = messages[0].body
        // Version 3, zstd protobuf, type 12, subscription and org 0, the timestamp big-endian.
        #expect(Array(first.prefix(8)) == [3, 2, 12, 0, 0, 0, 0, 0])
        #expect(first[8..<16].reduce(Int64(0)) { $0 << 8 | Int64($1) } == 1_796_000_000_000)
        // zstd's magic number follows the header.
        #expect(Array(first[16..<20]) == [0x28, 0xB5, 0x2F, 0xFD])
        let receiver = SimulatedStackStateReceiver()
        let headers = [
            "content-encoding": "x-zip", "sts-hostname": "node-7-prod", "sts-processagentversion": "stackbridge/t",
        ]
        for message in messages {
            let problems = receiver.receiveProcessAgent(message.body, path: message.type.path, headers: headers)
            #expect(problems.allSatisfy { $0.contains("timestamp") }, "\(problems)")
        }
        #expect(receiver.agentProcesses.count == 150)
        #expect(receiver.agentProcesses.contains("urn:process:/node-7-prod:42:1700000042000"))
        #expect(receiver.agentConnections == 250)
    }

    @Test func theStrictReceiverRefusesWhatTheAgentWouldNotSend() {
        let message = ProcessAgentMessages.messages(
            of: report(), cluster: "prod", intervalSeconds: 30, groupID: 1, timestamp: 1_796_000_000_000)[0]
        let receiver = SimulatedStackStateReceiver()
        var body = message.body
        body[2] = 22
        let problems = receiver.receiveProcessAgent(body, path: "/api/v1/collector", headers: [:])
        #expect(problems.contains { $0.contains("message type 22, not 12") })
        #expect(problems.contains { $0.contains("content-encoding none, not x-zip") })
        #expect(problems.contains { $0.contains("sts-hostname missing") })
        #expect(
            receiver.receiveProcessAgent(Array(body.prefix(20)), path: "/api/v1/collector", headers: [:]).contains {
                $0.contains("not a zstd frame")
            })
    }
}
