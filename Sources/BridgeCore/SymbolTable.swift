#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Stores each distinct byte string once and hands out ``Symbol`` handles for them.
///
/// The table is an open-addressing hash set over a single byte arena. Interning a string that is
/// already present costs one hash and one `memcmp` and allocates nothing. Every symbol also records
/// whether its bytes need escaping in a label value (`\`, `"` or a newline), so the writer can copy
/// the common case verbatim.
///
/// The table only grows; owners that keep one across scrapes (to reuse interned strings) replace it
/// when ``byteCount`` grows well beyond what the live series need.
public struct SymbolTable: Sendable {
    private var arena: [UInt8] = []
    private var starts: [UInt32] = []
    private var lengths: [UInt32] = []
    private var hashes: [UInt64] = []
    private var needsEscape: [Bool] = []
    /// Slot array of the hash set: 0 is empty, otherwise `symbol index + 1`. Its size is a power of two.
    private var slots: [UInt32]

    /// Creates a table holding only the empty string, sized for about `capacity` symbols.
    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        starts.reserveCapacity(capacity)
        lengths.reserveCapacity(capacity)
        hashes.reserveCapacity(capacity)
        needsEscape.reserveCapacity(capacity)
        let empty = intern(UnsafeRawBufferPointer(start: nil, count: 0))
        precondition(empty == .empty, "the empty string must be symbol 0")
    }

    /// The number of distinct strings in the table, the empty string included.
    public var count: Int { starts.count }

    /// The number of bytes the stored strings take together.
    public var byteCount: Int { arena.count }

    /// Returns the symbol for `bytes`, adding them to the table if they are new.
    @discardableResult
    public mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Symbol {
        let hash = Self.hash(bytes)
        let (slot, found) = probe(bytes, hash: hash)
        if let found { return found }
        let index = UInt32(starts.count)
        starts.append(UInt32(arena.count))
        lengths.append(UInt32(bytes.count))
        hashes.append(hash)
        needsEscape.append(Self.containsEscapable(bytes))
        arena.append(contentsOf: bytes)
        slots[slot] = index + 1
        if starts.count * 4 > slots.count * 3 { grow() }
        return Symbol(rawValue: index)
    }

    /// Returns the symbol for the UTF-8 bytes of `string`, adding it if new.
    @discardableResult
    public mutating func intern(_ string: String) -> Symbol {
        var copy = string
        return copy.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// Returns the symbol for the bytes in `bytes`, adding them if new.
    @discardableResult
    public mutating func intern(_ bytes: [UInt8]) -> Symbol {
        bytes.withUnsafeBytes { intern($0) }
    }

    /// Returns the symbol for `string` if the table holds it, without adding it.
    public func lookup(_ string: String) -> Symbol? {
        var copy = string
        return copy.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            return probe(bytes, hash: Self.hash(bytes)).found
        }
    }

    /// Walks the slots from `hash`: the symbol for `bytes` if present, else the empty slot where it
    /// would go.
    private func probe(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> (slot: Int, found: Symbol?) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot] - 1)
            if hashes[index] == hash && equals(index, bytes) { return (slot, Symbol(rawValue: UInt32(index))) }
            slot = (slot + 1) & mask
        }
        return (slot, nil)
    }

    /// Calls `body` with the bytes of `symbol`; the pointer is valid only inside `body`.
    public func withBytes<Result>(
        _ symbol: Symbol,
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        let index = Int(symbol.rawValue)
        let start = Int(starts[index])
        let length = Int(lengths[index])
        return try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<start + length])) }
    }

    /// The bytes of `symbol` appended to `buffer`.
    public func append(_ symbol: Symbol, to buffer: inout [UInt8]) {
        let index = Int(symbol.rawValue)
        let start = Int(starts[index])
        buffer.append(contentsOf: arena[start..<start + Int(lengths[index])])
    }

    /// A 64-bit hash of the bytes of `symbol`, stored at interning. The hash function is fixed (not
    /// seeded per process), so equal strings hash equally in every table and every run.
    public func contentHash(of symbol: Symbol) -> UInt64 { hashes[Int(symbol.rawValue)] }

    /// The length in bytes of `symbol`.
    public func length(of symbol: Symbol) -> Int { Int(lengths[Int(symbol.rawValue)]) }

    /// Whether `symbol` contains a byte that label-value escaping rewrites (`\`, `"` or newline).
    public func needsEscaping(_ symbol: Symbol) -> Bool { needsEscape[Int(symbol.rawValue)] }

    /// The string `symbol` stands for; allocates, so keep it off the hot path.
    public func string(_ symbol: Symbol) -> String {
        withBytes(symbol) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the bytes of two symbols of this table sort `lhs` before `rhs` (byte-wise order).
    public func bytesPrecede(_ lhs: Symbol, _ rhs: Symbol) -> Bool {
        if lhs == rhs { return false }
        return withBytes(lhs) { a in
            withBytes(rhs) { b in
                let common = min(a.count, b.count)
                if common > 0 {
                    let order = memcmp(a.baseAddress!, b.baseAddress!, common)
                    if order != 0 { return order < 0 }
                }
                return a.count < b.count
            }
        }
    }

    /// The length of `name{label="value",...}` (or `name` alone without labels) spelled from these
    /// symbols, when `line` starts with exactly that text; nil when it does not, or when a value
    /// needs escaping (its text in an exposition differs from its bytes). The parser uses it to
    /// recognise a line whose series is the one at the same place in the last scrape.
    func seriesTextLength(name: Symbol, labels: ArraySlice<Label>, in line: UnsafeRawBufferPointer) -> Int? {
        guard line.baseAddress != nil else { return nil }
        return arena.withUnsafeBytes { arena -> Int? in
            starts.withUnsafeBufferPointer { starts in
                lengths.withUnsafeBufferPointer { lengths in
                    needsEscape.withUnsafeBufferPointer { needsEscape in
                        var text = SeriesText(line: line, arena: arena, starts: starts, lengths: lengths)
                        guard text.take(name) else { return nil }
                        if labels.isEmpty { return text.offset }
                        guard text.take(UInt8(ascii: "{")) else { return nil }
                        var first = true
                        for label in labels {
                            guard first || text.take(UInt8(ascii: ",")), text.take(label.name),
                                text.take(UInt8(ascii: "=")), text.take(UInt8(ascii: "\"")),
                                !needsEscape[Int(label.value.rawValue)], text.take(label.value),
                                text.take(UInt8(ascii: "\""))
                            else { return nil }
                            first = false
                        }
                        return text.take(UInt8(ascii: "}")) ? text.offset : nil
                    }
                }
            }
        }
    }

    /// A line being matched against symbols, from its start. A value type with the table's arrays
    /// borrowed, rather than closures around a captured offset: those made the compiler check
    /// exclusive access to the offset at run time on every byte compared.
    private struct SeriesText {
        let line: UnsafeRawBufferPointer
        let arena: UnsafeRawBufferPointer
        let starts: UnsafeBufferPointer<UInt32>
        let lengths: UnsafeBufferPointer<UInt32>
        /// How much of the line matched so far.
        var offset = 0

        /// Whether the line continues with the bytes of `symbol`; if so, they are passed.
        mutating func take(_ symbol: Symbol) -> Bool {
            let index = Int(symbol.rawValue)
            let length = Int(lengths[index])
            guard offset + length <= line.count else { return false }
            if length > 0 && memcmp(line.baseAddress! + offset, arena.baseAddress! + Int(starts[index]), length) != 0 {
                return false
            }
            offset += length
            return true
        }

        /// Whether the line continues with `byte`; if so, it is passed.
        mutating func take(_ byte: UInt8) -> Bool {
            guard offset < line.count, line[offset] == byte else { return false }
            offset += 1
            return true
        }
    }

    private func equals(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let length = Int(lengths[index])
        guard length == bytes.count else { return false }
        if length == 0 { return true }
        let start = Int(starts[index])
        return arena.withUnsafeBytes { memcmp($0.baseAddress! + start, bytes.baseAddress!, length) == 0 }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var fresh = [UInt32](repeating: 0, count: size)
        let mask = size - 1
        for index in 0..<hashes.count {
            var slot = Int(truncatingIfNeeded: hashes[index]) & mask
            while fresh[slot] != 0 { slot = (slot + 1) & mask }
            fresh[slot] = UInt32(index + 1)
        }
        slots = fresh
    }

    /// The hash ``contentHash(of:)`` stores, of any bytes: the same in every table and every run.
    public static func contentHash(ofBytes bytes: UnsafeRawBufferPointer) -> UInt64 { hash(bytes) }

    /// A fast non-cryptographic hash: eight bytes per step with a multiply-xorshift mix.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var offset = 0
        let count = bytes.count
        while offset + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            state = (state ^ word) &* 0xBF58_476D_1CE4_E5B9
            state ^= state >> 29
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(bytes[offset]) << shift
                shift += 8
                offset += 1
            }
            state = (state ^ tail) &* 0x94D0_49BB_1331_11EB
        }
        state ^= state >> 31
        state = state &* 0xBF58_476D_1CE4_E5B9
        return state ^ (state >> 32)
    }

    private static func containsEscapable(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") || byte == 0x0A {
            return true
        }
        return false
    }
}
