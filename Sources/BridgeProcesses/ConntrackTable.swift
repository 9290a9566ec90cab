import BridgeTopology
import CConntrack

#if canImport(Glibc)
    import Glibc
#endif

/// Destination NAT as conntrack records it: for a connection's original (source, destination),
/// the reply's source, which is the backend that really answered (the agent's `natraddr`,
/// reference/process-connections.md §1.2, §2.4). kube-proxy's DNAT happens in the node's network
/// namespace, so that is the table to read: the collector runs with `hostNetwork`.
public struct ConntrackTable: Sendable {
    /// Original (source, destination) → reply source, only where they differ.
    public private(set) var translations: [Flow: SocketAddress] = [:]
    /// Where the entries came from: `netlink`, `file` (`nf_conntrack`), or `none` with why.
    public private(set) var source: String

    /// A connection's original direction.
    public struct Flow: Hashable, Sendable {
        /// The source.
        public var source: SocketAddress
        /// The destination the client dialled.
        public var destination: SocketAddress

        /// Creates a flow.
        public init(_ source: SocketAddress, _ destination: SocketAddress) {
            self.source = source
            self.destination = destination
        }
    }

    /// An empty table that says why it is empty.
    public init(unavailable reason: String) {
        source = "none: \(reason)"
    }

    /// The translation of a connection from `local` to `remote`, if conntrack has one.
    public func translated(from local: SocketAddress, to remote: SocketAddress) -> SocketAddress? {
        translations[Flow(local, remote)]
    }

    /// Records an entry; entries whose reply source is the original destination are no NAT.
    mutating func record(_ flow: Flow, replySource: SocketAddress) {
        if replySource != flow.destination { translations[flow] = replySource }
    }

    /// The table of the calling thread's network namespace through ctnetlink, both families; nil
    /// with the reason when the kernel refuses (no `CAP_NET_ADMIN`, no `nf_conntrack_netlink`).
    public static func netlink() -> Result<ConntrackTable, ConntrackUnavailable> {
        var table = ConntrackTable(unavailable: "")
        table.source = "netlink"
        for family in [AF_INET, AF_INET6] {
            let status = withUnsafeMutablePointer(to: &table) { pointer in
                sb_conntrack_dump(
                    Int32(family),
                    { entry, context in
                        guard let entry, let context else { return }
                        let table = context.assumingMemoryBound(to: ConntrackTable.self)
                        let size = entry.pointee.family == UInt8(AF_INET) ? 4 : 16
                        func text(
                            _ tuple: (
                                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                                UInt8, UInt8, UInt8, UInt8
                            )
                        ) -> String {
                            let bytes = withUnsafeBytes(of: tuple) { Array($0.prefix(size)) }
                            return TCPTable.text(bytes) ?? ""
                        }
                        let flow = Flow(
                            SocketAddress(text(entry.pointee.orig_src), Int(entry.pointee.orig_sport)),
                            SocketAddress(text(entry.pointee.orig_dst), Int(entry.pointee.orig_dport)))
                        table.pointee.record(
                            flow,
                            replySource: SocketAddress(text(entry.pointee.reply_src), Int(entry.pointee.reply_sport)))
                    }, pointer)
            }
            if status < 0 {
                return .failure(ConntrackUnavailable(reason: "ctnetlink: \(String(cString: strerror(-status)))"))
            }
        }
        return .success(table)
    }

    /// The table of an `nf_conntrack` file (`CONFIG_NF_CONNTRACK_PROCFS`; `/proc/1/net/nf_conntrack`
    /// is the host's with `hostPID`): lines like `ipv4 2 tcp 6 431999 ESTABLISHED src=… dst=…
    /// sport=… dport=… src=… dst=… sport=… dport=… [ASSURED] …`, the first four keys the original
    /// direction, the second four the reply.
    public static func parse(file contents: [UInt8]) -> ConntrackTable {
        var table = ConntrackTable(unavailable: "")
        table.source = "file"
        for line in contents.split(separator: UInt8(ascii: "\n")) {
            let words = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            guard words.count > 4, words[2].elementsEqual("tcp".utf8) else { continue }
            var values: [String: [String]] = [:]
            for word in words {
                guard let equals = word.firstIndex(of: UInt8(ascii: "=")) else { continue }
                let key = String(decoding: word[word.startIndex..<equals], as: UTF8.self)
                values[key, default: []].append(String(decoding: word[(equals + 1)...], as: UTF8.self))
            }
            guard let sources = values["src"], let destinations = values["dst"], let sourcePorts = values["sport"],
                let destinationPorts = values["dport"], sources.count >= 2, destinations.count >= 1,
                sourcePorts.count >= 2, destinationPorts.count >= 1,
                let originalSource = normalized(sources[0]), let originalDestination = normalized(destinations[0]),
                let replySource = normalized(sources[1]),
                let sport = Int(sourcePorts[0]), let dport = Int(destinationPorts[0]),
                let replyPort = Int(sourcePorts[1])
            else { continue }
            table.record(
                Flow(SocketAddress(originalSource, sport), SocketAddress(originalDestination, dport)),
                replySource: SocketAddress(replySource, replyPort))
        }
        return table
    }

    /// The canonical text of an address as the file prints it (IPv6 may be written out in full).
    static func normalized(_ text: String) -> String? {
        var bytes = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &bytes) == 1 { return TCPTable.text(Array(bytes.prefix(4))) }
        if inet_pton(AF_INET6, text, &bytes) == 1 { return TCPTable.text(bytes) }
        return nil
    }
}

/// Why conntrack could not be read.
public struct ConntrackUnavailable: Error, Sendable, CustomStringConvertible {
    /// The reason, as the kernel gave it.
    public var reason: String
    /// The reason.
    public var description: String { reason }
}
