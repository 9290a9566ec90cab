/// Appends values to a compact record: LEB128 variable-length integers, strings shared through
/// ``RecordSymbols`` by number, and strings unique to the object (names, UIDs, container ids) as bytes.
///
/// Optional values carry their presence in the same integer: 0 for nil, the value plus one
/// otherwise. ``RecordReader`` reads back in the same order.
struct RecordWriter {
    /// The record so far.
    var bytes: [UInt8] = []
    /// The shared strings; swapped in from ``RecordSymbols`` for the duration of a write.
    var symbols = RecordSymbols.Storage()

    /// The record in an array of its exact size; ``bytes`` grows by doubling and may hold twice
    /// as much capacity.
    var exactBytes: [UInt8] { bytes.withUnsafeBufferPointer { Array($0) } }

    mutating func uint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func count(_ value: Int) { uint(UInt64(value)) }

    /// A string repeated across objects, by number.
    mutating func symbol(_ string: String) { uint(UInt64(symbols.intern(string))) }

    mutating func symbol(_ string: String?) {
        guard let string else { return uint(0) }
        uint(UInt64(symbols.intern(string)) + 1)
    }

    /// A string unique to this object, as its UTF-8 bytes.
    mutating func text(_ string: String) {
        count(string.utf8.count)
        bytes.append(contentsOf: string.utf8)
    }

    mutating func text(_ string: String?) {
        guard let string else { return uint(0) }
        count(string.utf8.count + 1)
        bytes.append(contentsOf: string.utf8)
    }

    mutating func flag(_ value: Bool?) {
        uint(value.map { $0 ? 2 : 1 } ?? 0)
    }

    mutating func int(_ value: Int?) {
        guard let value else { return uint(0) }
        uint(1)
        // Zigzag, so small negative numbers stay small.
        uint(UInt64(bitPattern: Int64(value << 1) ^ Int64(value >> (Int.bitWidth - 1))))
    }

    /// Presence of a nested value, then the value.
    mutating func optional<T>(_ value: T?, _ write: (inout RecordWriter, T) -> Void) {
        guard let value else { return uint(0) }
        uint(1)
        write(&self, value)
    }

    /// Presence and count, then each element.
    mutating func array<T>(_ values: [T]?, _ write: (inout RecordWriter, T) -> Void) {
        guard let values else { return uint(0) }
        count(values.count + 1)
        for value in values { write(&self, value) }
    }

    /// Labels: keys and values are both shared strings.
    mutating func labels(_ labels: [String: String]?) {
        guard let labels else { return uint(0) }
        count(labels.count + 1)
        for (key, value) in labels {
            symbol(key)
            symbol(value)
        }
    }
}
