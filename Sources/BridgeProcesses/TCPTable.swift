import BridgeTopology

#if canImport(Glibc)
    import Glibc
#endif

/// The sockets of `/proc/PID/net/tcp` and `tcp6` (the kernel's `tcp4_seq_show`/`tcp6_seq_show`):
/// ESTABLISHED (`01`) and LISTEN (`0A`) rows, the only states the process agent reports
/// (reference/process-connections.md §2.1). The table belongs to the network namespace of the
/// process it is read through, not to the process.
struct TCPTable {
    /// A row.
    struct Socket: Equatable {
        var local: SocketAddress
        var remote: SocketAddress
        var listening: Bool
        var inode: UInt64
    }

    /// The ESTABLISHED and LISTEN rows of a `tcp` or `tcp6` file.
    static func parse(_ contents: [UInt8]) -> [Socket] {
        var sockets: [Socket] = []
        for line in contents.split(separator: UInt8(ascii: "\n")) { parse(line: line, into: &sockets) }
        return sockets
    }

    /// Appends the socket of one line, if it is an ESTABLISHED or LISTEN row (the header is not).
    static func parse(line: ArraySlice<UInt8>, into sockets: inout [Socket]) {
        let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 10, omittingEmptySubsequences: true)
        guard fields.count >= 10 else { return }
        let state = fields[3]
        let listening = state.elementsEqual("0A".utf8)
        guard listening || state.elementsEqual("01".utf8),
            let local = address(fields[1]), let remote = address(fields[2]),
            let inode = UInt64(String(decoding: fields[9], as: UTF8.self)), inode != 0
        else { return }
        sockets.append(Socket(local: local, remote: remote, listening: listening, inode: inode))
    }

    /// `0100007F:1F90` → 127.0.0.1:8080. The kernel prints each 32-bit word of the address as
    /// the host reads it (`%08X`), so the word's bytes in host order are the address's bytes.
    static func address(_ field: ArraySlice<UInt8>) -> SocketAddress? {
        guard let colon = field.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let hex = field[field.startIndex..<colon]
        guard let port = Int(String(decoding: field[(colon + 1)...], as: UTF8.self), radix: 16),
            hex.count == 8 || hex.count == 32
        else { return nil }
        var bytes: [UInt8] = []
        var word = hex.startIndex
        while word < hex.endIndex {
            guard let value = UInt32(String(decoding: hex[word..<(word + 8)], as: UTF8.self), radix: 16) else {
                return nil
            }
            withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
            word += 8
        }
        guard let text = text(bytes) else { return nil }
        return SocketAddress(text, port)
    }

    /// The textual form of 4 or 16 address bytes; an IPv4-mapped IPv6 address (a dual-stack
    /// socket's view of an IPv4 peer) as plain IPv4, so that both stacks name a peer alike.
    static func text(_ bytes: [UInt8]) -> String? {
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            return text(Array(bytes[12...]))
        }
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        var output = [UInt8](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { raw in
            output.withUnsafeMutableBytes { text in
                inet_ntop(
                    family, raw.baseAddress, text.baseAddress!.assumingMemoryBound(to: CChar.self),
                    socklen_t(text.count))
            }
        }
        guard written != nil else { return nil }
        return String(decoding: output.prefix { $0 != 0 }, as: UTF8.self)
    }
}
