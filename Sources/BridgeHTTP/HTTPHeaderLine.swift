/// One response header line as libcurl hands it over (RFC 9112 §2.1: a status line, field lines,
/// then an empty line), read on its bytes.
///
/// Every scrape and every remote-write answer passes a handful of these, on the threads that also
/// parse and encode; going through `String`'s Unicode views cost about 5 % of the bridge's CPU at
/// 10× the simulated cluster (docs/performance.md, "Where the time goes"), so only the parts kept become
/// strings.
enum HTTPHeaderLine: Equatable, Sendable {
    /// `HTTP/1.1 200 OK`: a (new) response starts; the code, or 0 when it is missing or no number.
    case status(Int)
    /// `Name: value`: the name lowercased (field names are case-insensitive, RFC 9110 §5.1), the
    /// value without the spaces and tabs around it (RFC 9110 §5.5).
    case field(name: String, value: String)
    /// The empty line that ends a response's headers.
    case end
    /// Anything else (an obsolete folded continuation line, or garbage): ignored.
    case other

    /// Reads `bytes`, one line with or without its CR LF.
    init(_ bytes: UnsafeRawBufferPointer) {
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == UInt8(ascii: "\r") || bytes[end - 1] == UInt8(ascii: "\n")) { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: bytes[0..<end])
        if line.isEmpty {
            self = .end
        } else if line.starts(with: "HTTP/".utf8) {
            self = .status(Self.statusCode(line))
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            var start = colon + 1
            var stop = line.count
            while start < stop && Self.isBlank(line[start]) { start += 1 }
            while stop > start && Self.isBlank(line[stop - 1]) { stop -= 1 }
            let name = String(unsafeUninitializedCapacity: colon) { name in
                for index in 0..<colon { name[index] = Self.lowercased(line[index]) }
                return colon
            }
            self = .field(name: name, value: String(decoding: line[start..<stop], as: UTF8.self))
        } else {
            self = .other
        }
    }

    /// The second of the line's space-separated words as a number (RFC 9112 §4: `HTTP-version SP
    /// status-code SP [reason-phrase]`), 0 when there is none.
    private static func statusCode(_ line: UnsafeRawBufferPointer) -> Int {
        var index = 0
        while index < line.count && line[index] != UInt8(ascii: " ") { index += 1 }
        while index < line.count && line[index] == UInt8(ascii: " ") { index += 1 }
        let start = index
        while index < line.count && line[index] != UInt8(ascii: " ") { index += 1 }
        guard index > start else { return 0 }
        return Int(String(decoding: line[start..<index], as: UTF8.self)) ?? 0
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
