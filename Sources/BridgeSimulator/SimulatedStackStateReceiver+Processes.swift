import CProcessAgent
import CZstd
import Foundation

extension SimulatedStackStateReceiver {
    /// A `process` component as the agent's data has it (reference/process-connections.md §1.3):
    /// `urn:process:/<host>:<pid>:<createTime>`, `pid` and `createTime` numbers (the create time
    /// whole seconds in ms), `host`, and `command` with `args` and `exe`.
    func checkProcess(id: String, data: [String: Any], path: String, _ check: inout Checker) {
        let pid = check.require(data, "pid", "\(path).data", as: Int.self)
        let createTime = check.require(data, "createTime", "\(path).data", as: Int.self)
        let host = check.require(data, "host", "\(path).data", as: String.self)
        if let command = check.require(data, "command", "\(path).data", as: [String: Any].self) {
            _ = check.require(command, "args", "\(path).data.command", as: [String].self)
            _ = check.require(command, "exe", "\(path).data.command", as: String.self)
        }
        if let pid, let createTime, let host {
            if id != "urn:process:/\(host):\(pid):\(createTime)" {
                check.problems.append("\(path).externalId: \(id) is not urn:process:/<host>:<pid>:<createTime>")
            }
            if createTime <= 0 || createTime % 1000 != 0 {
                check.problems.append("\(path).data.createTime: \(createTime) is not whole seconds in ms")
            }
        }
    }

    /// A `directional_connection` as the receiver makes them (reference/process-connections.md
    /// §1.4): `connection:/<client>-><server>:port/<port>` between two processes, with
    /// `outgoing.ip`, `incoming.ip`, `incoming.port` and how the server was reached (`via`).
    func checkConnection(
        id: String, source: String, target: String, data: [String: Any], path: String, _ check: inout Checker
    ) {
        let incoming = check.require(data, "incoming", "\(path).data", as: [String: Any].self) ?? [:]
        let outgoing = check.require(data, "outgoing", "\(path).data", as: [String: Any].self) ?? [:]
        _ = check.require(outgoing, "ip", "\(path).data.outgoing", as: String.self)
        _ = check.require(incoming, "ip", "\(path).data.incoming", as: String.self)
        let port = check.require(incoming, "port", "\(path).data.incoming", as: Int.self) ?? -1
        if id != "connection:/\(source)->\(target):port/\(port)" {
            check.problems.append("\(path).externalId: \(id) is not connection:/<source>-><target>:port/<port>")
        }
        if !source.hasPrefix("urn:process:/") || !target.hasPrefix("urn:process:/") {
            check.problems.append("\(path): ends are not processes")
        }
        let via = check.require(data, "via", "\(path).data", as: String.self) ?? ""
        if via != "direct" && !via.hasPrefix("service/") && !via.hasPrefix("headless/") {
            check.problems.append("\(path).data.via: \(via) is not direct, service/… or headless/…")
        }
    }

    /// Checks one process agent post (`/api/v1/collector` or `/api/v1/connections`) as the
    /// receiver reads it: the 16-byte header, zstd, the protobuf message, and the agent's headers;
    /// records the processes and connections. Returns what is wrong with it.
    public func receiveProcessAgent(_ body: [UInt8], path: String, headers: [String: String]) -> [String] {
        var problems: [String] = []
        let expectedType: UInt8 = path.hasSuffix("/collector") ? 12 : 22
        if headers["content-encoding"] != "x-zip" {
            problems.append("\(path): content-encoding \(headers["content-encoding"] ?? "none"), not x-zip")
        }
        if let type = headers["content-type"], !type.isEmpty { problems.append("\(path): content-type \(type) sent") }
        let host = headers["sts-hostname"] ?? ""
        if host.isEmpty { problems.append("\(path): sts-hostname missing") }
        if (headers["sts-processagentversion"] ?? "").isEmpty {
            problems.append("\(path): sts-processagentversion missing")
        }
        guard body.count > 16 else { return problems + ["\(path): body of \(body.count) bytes has no header"] }
        if body[0] != 3 { problems.append("\(path): header version \(body[0]), not 3") }
        if body[1] != 2 { problems.append("\(path): header encoding \(body[1]), not 2 (zstd protobuf)") }
        if body[2] != expectedType { problems.append("\(path): message type \(body[2]), not \(expectedType)") }
        if body[3...7].contains(where: { $0 != 0 }) { problems.append("\(path): subscription or org not 0") }
        let timestamp = body[8..<16].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        if abs(timestamp - Int64(Date().timeIntervalSince1970 * 1000)) > 86_400_000 {
            problems.append("\(path): header timestamp \(timestamp) is not now in ms")
        }
        guard let message = Self.decompress(Array(body[16...])) else {
            return problems + ["\(path): body is not a zstd frame"]
        }
        let found =
            expectedType == 12
            ? receiveProcesses(message, host: host, path: path) : receiveConnections(message, host: host, path: path)
        problems += found
        lock.withLock { processAgentPosts += 1 }
        return problems
    }

    private func receiveProcesses(_ message: [UInt8], host: String, path: String) -> [String] {
        guard
            let proc = message.withUnsafeBufferPointer({
                stackbridge__processagent__collector_proc__unpack(nil, $0.count, $0.baseAddress)
            })
        else { return ["\(path): not a CollectorProc"] }
        defer { stackbridge__processagent__collector_proc__free_unpacked(proc, nil) }
        var problems = header(
            hostName: String(cString: proc.pointee.hostname), host: host, count: proc.pointee.n_processes,
            groupID: proc.pointee.groupid, groupSize: proc.pointee.groupsize, path: path)
        var seen: [String] = []
        for index in 0..<proc.pointee.n_processes {
            guard let process = proc.pointee.processes[index]?.pointee else { continue }
            let createTime = process.createtime
            if process.pid <= 0 || createTime <= 0 || createTime % 1000 != 0 {
                problems.append("\(path).processes[\(index)]: pid \(process.pid), createTime \(createTime)")
            }
            if process.command == nil || process.command.pointee.n_args == 0 {
                problems.append("\(path).processes[\(index)].command.args: empty")
            }
            seen.append("urn:process:/\(host):\(process.pid):\(createTime)")
        }
        lock.withLock { agentProcesses.formUnion(seen) }
        return problems
    }

    private func receiveConnections(_ message: [UInt8], host: String, path: String) -> [String] {
        guard
            let batch = message.withUnsafeBufferPointer({
                stackbridge__processagent__collector_connections__unpack(nil, $0.count, $0.baseAddress)
            })
        else { return ["\(path): not a CollectorConnections"] }
        defer { stackbridge__processagent__collector_connections__free_unpacked(batch, nil) }
        var problems = header(
            hostName: String(cString: batch.pointee.hostname), host: host, count: batch.pointee.n_connections,
            groupID: batch.pointee.groupid, groupSize: batch.pointee.groupsize, path: path)
        if String(cString: batch.pointee.clustername).isEmpty { problems.append("\(path).clusterName: empty") }
        if batch.pointee.collectioninterval <= 0 { problems.append("\(path).collectionInterval: not positive") }
        var count = 0
        for index in 0..<batch.pointee.n_connections {
            guard let connection = batch.pointee.connections[index]?.pointee else { continue }
            let at = "\(path).connections[\(index)]"
            guard let local = connection.laddr?.pointee, let remote = connection.raddr?.pointee else {
                problems.append("\(at): laddr or raddr missing")
                continue
            }
            let localIP = String(cString: local.ip)
            if connection.pid <= 0 || connection.pidcreatetime % 1000 != 0 {
                problems.append("\(at): pid \(connection.pid), pidCreateTime \(connection.pidcreatetime)")
            }
            if !(1...65_535).contains(local.port) || !(1...65_535).contains(remote.port) {
                problems.append("\(at): ports \(local.port), \(remote.port)")
            }
            if connection.type.rawValue != 0 { problems.append("\(at).type: not tcp") }
            if ![1, 2].contains(connection.direction.rawValue) {
                problems.append("\(at).direction: \(connection.direction.rawValue)")
            }
            if (connection.family.rawValue == 1) != localIP.contains(":") {
                problems.append("\(at).family: does not match \(localIP)")
            }
            count += 1
        }
        lock.withLock { agentConnections += count }
        return problems
    }

    private func header(
        hostName: String, host: String, count: Int, groupID: Int32, groupSize: Int32, path: String
    ) -> [String] {
        var problems: [String] = []
        if hostName != host { problems.append("\(path).hostName: \(hostName), sts-hostname \(host)") }
        if count > 100 { problems.append("\(path): \(count) items, more than 100 in one message") }
        if groupID < 1 || groupSize < 1 { problems.append("\(path): groupId \(groupID), groupSize \(groupSize)") }
        return problems
    }

    /// The content of a zstd frame, nil when it is not one.
    static func decompress(_ frame: [UInt8]) -> [UInt8]? {
        let size = frame.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        guard size != ZSTD_CONTENTSIZE_ERROR, size != ZSTD_CONTENTSIZE_UNKNOWN, size < 64 << 20 else { return nil }
        var output = [UInt8](repeating: 0, count: Int(size))
        let written = output.withUnsafeMutableBytes { out in
            frame.withUnsafeBytes { ZSTD_decompress(out.baseAddress, out.count, $0.baseAddress, $0.count) }
        }
        guard ZSTD_isError(written) == 0, written == Int(size) else { return nil }
        return output
    }
}
