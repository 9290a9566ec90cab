import BridgeTopology
import CProcessAgent
import CZstd

#if canImport(Glibc)
    import Glibc
#endif

/// Node reports as the StackState process agent posts them, so that the receiver's own correlator
/// builds the process components and connection relations (reference/process-connections.md §1.1):
/// `CollectorProc` (type 12) to `/api/v1/collector` and `CollectorConnections` (type 22) to
/// `/api/v1/connections`, at most 100 processes or connections a message, each message framed by
/// the agent's 16-byte header and its body zstd-compressed (encoding 2), one host per node.
public enum ProcessAgentMessages {
    /// Most processes or connections in one message (the agent's `MaxConnectionsPerMessage`).
    public static let maxPerMessage = 100
    /// The header's version.
    static let version: UInt8 = 3
    /// The header's encoding: zstd-compressed protobuf, the only one the agent sends.
    static let zstdProtobuf: UInt8 = 2

    /// The process agent's message types.
    public enum MessageType: UInt8, Sendable {
        /// `CollectorProc`.
        case collectorProc = 12
        /// `CollectorConnections`.
        case collectorConnections = 22

        /// Where messages of this type are posted, under the receiver's base URL.
        public var path: String { self == .collectorProc ? "/api/v1/collector" : "/api/v1/connections" }
    }

    /// One framed message, ready to post.
    public struct Message: Sendable {
        /// What it is.
        public var type: MessageType
        /// `sts-hostname`, the agent's `<node>-<cluster>`.
        public var hostname: String
        /// Header and compressed protobuf.
        public var body: [UInt8]
        /// Processes or connections in it.
        public var items: Int
    }

    /// The messages of `report`: its processes in batches of ``maxPerMessage`` sharing `groupID`,
    /// then its connections likewise; `timestamp` (ms) goes into every header.
    public static func messages(
        of report: ProcessReport, cluster: String, intervalSeconds: Int32, groupID: Int32, timestamp: Int64
    ) -> [Message] {
        let host = URNBuilder(cluster: cluster).host(report.node)
        var messages: [Message] = []
        let processBatches = batches(report.processes)
        for batch in processBatches {
            let message = sb_pa_processes_new(host, groupID, Int32(processBatches.count))
            defer { sb_pa_free(message) }
            for process in batch {
                withCStrings(process.args) { args in
                    sb_pa_processes_add(
                        message, process.pid, process.createTime, args, process.args.count, process.exe,
                        process.containerId)
                }
            }
            messages.append(
                Message(
                    type: .collectorProc, hostname: host, body: frame(pack(message), .collectorProc, timestamp),
                    items: batch.count))
        }
        let connectionBatches = batches(report.connections)
        for batch in connectionBatches {
            let message = sb_pa_connections_new(host, cluster, intervalSeconds, groupID, Int32(connectionBatches.count))
            defer { sb_pa_free(message) }
            for connection in batch {
                let nat = connection.translatedRemote
                sb_pa_connections_add(
                    message, connection.pid, connection.createTime, connection.local.ip, Int32(connection.local.port),
                    connection.remote.ip, Int32(connection.remote.port), nat?.ip, Int32(nat?.port ?? 0),
                    connection.local.ip.contains(":") ? 1 : 0, connection.direction == .incoming ? 2 : 1,
                    UInt32(truncatingIfNeeded: connection.netNamespace))
            }
            messages.append(
                Message(
                    type: .collectorConnections, hostname: host,
                    body: frame(pack(message), .collectorConnections, timestamp), items: batch.count))
        }
        return messages
    }

    private static func batches<T>(_ items: [T]) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: maxPerMessage).map {
            items[$0..<min(items.count, $0 + maxPerMessage)]
        }
    }

    private static func pack(_ message: OpaquePointer?) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        let size = sb_pa_pack(message, &out)
        defer { free(out) }
        guard let out else { return [] }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }

    /// The agent's header (`encodeHeaderV3`: version, encoding, type, subscription 0, org 0 as a
    /// 32-bit integer, the timestamp in ms as a 64-bit one, all big-endian), then the zstd frame.
    static func frame(_ protobuf: [UInt8], _ type: MessageType, _ timestamp: Int64) -> [UInt8] {
        var body: [UInt8] = [version, zstdProtobuf, type.rawValue, 0, 0, 0, 0, 0]
        withUnsafeBytes(of: timestamp.bigEndian) { body.append(contentsOf: $0) }
        body.append(contentsOf: compress(protobuf))
        return body
    }

    /// A zstd frame of `bytes` at the library's default level, with its content size, as the
    /// agent's encoder writes it.
    static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let written = output.withUnsafeMutableBytes { out in
            bytes.withUnsafeBytes { input in
                ZSTD_compress(out.baseAddress, out.count, input.baseAddress, input.count, ZSTD_CLEVEL_DEFAULT)
            }
        }
        // Compressing into a buffer of ZSTD_compressBound cannot fail.
        output.removeSubrange(ZSTD_isError(written) != 0 ? 0... : written...)
        return output
    }

    /// Calls `body` with `strings` as C strings that live for the call.
    private static func withCStrings<R>(
        _ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R
    ) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
