/// Reads a record that ``RecordWriter`` wrote, in the same order.
///
/// Records are written by this process only, so a malformed one is a programming error and traps.
struct RecordReader {
    private let bytes: [UInt8]
    private let strings: [String]
    private var offset = 0

    /// A reader of `bytes`, whose shared strings are numbered in `strings`.
    init(_ bytes: [UInt8], strings: [String]) {
        self.bytes = bytes
        self.strings = strings
    }

    /// Whether every byte was read.
    var isAtEnd: Bool { offset == bytes.count }

    mutating func uint() -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func count() -> Int { Int(uint()) }

    mutating func symbol() -> String { strings[Int(uint())] }

    mutating func optionalSymbol() -> String? {
        let id = uint()
        return id == 0 ? nil : strings[Int(id - 1)]
    }

    mutating func text() -> String { take(count()) }

    mutating func optionalText() -> String? {
        let length = count()
        return length == 0 ? nil : take(length - 1)
    }

    mutating func flag() -> Bool? {
        switch uint() {
        case 0: nil
        case 1: false
        default: true
        }
    }

    mutating func int() -> Int? {
        guard uint() != 0 else { return nil }
        let zigzag = uint()
        return Int(Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1))
    }

    mutating func optional<T>(_ read: (inout RecordReader) -> T) -> T? {
        uint() == 0 ? nil : read(&self)
    }

    mutating func array<T>(_ read: (inout RecordReader) -> T) -> [T]? {
        let stored = count()
        guard stored > 0 else { return nil }
        var values: [T] = []
        values.reserveCapacity(stored - 1)
        for _ in 1..<stored { values.append(read(&self)) }
        return values
    }

    mutating func labels() -> [String: String]? {
        let stored = count()
        guard stored > 0 else { return nil }
        var labels: [String: String] = [:]
        labels.reserveCapacity(stored - 1)
        for _ in 1..<stored {
            let key = symbol()
            labels[key] = symbol()
        }
        return labels
    }

    private mutating func take(_ length: Int) -> String {
        defer { offset += length }
        return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
    }
}
