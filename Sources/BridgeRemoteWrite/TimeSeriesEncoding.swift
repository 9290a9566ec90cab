/// The protobuf wire form of one remote-write `TimeSeries` with one sample, written and read
/// directly (reference/prometheus-side.md §1; `prometheus/prompb/types.proto`):
///
/// ```
/// WriteRequest { repeated TimeSeries timeseries = 1; }
/// TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
/// Label        { string name = 1; string value = 2; }
/// Sample       { double value = 1; int64 timestamp = 2; }
/// ```
///
/// Each series is written as field 1 of `WriteRequest`, so series written back to back are a
/// whole request body. Zero scalars are left out, as proto3 encoders (protobuf-c, Go's) do.
enum TimeSeriesEncoding {
    /// Wire tags: field number << 3 | wire type (2 = length-delimited, 1 = 64-bit, 0 = varint).
    static let lengthDelimitedField1: UInt8 = 0x0A
    static let lengthDelimitedField2: UInt8 = 0x12
    static let fixed64Field1: UInt8 = 0x09
    static let varintField2: UInt8 = 0x10

    /// Bytes of `value` as a varint.
    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        // 7 bits a byte; 0 still takes one.
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }

    /// Bytes of a length-delimited field holding `length` bytes: tag, length, content.
    @inline(__always)
    static func fieldSize(_ length: Int) -> Int { 1 + varintSize(UInt64(length)) + length }

    /// Bytes of one `Label` message's content.
    @inline(__always)
    static func labelSize(nameLength: Int, valueLength: Int) -> Int {
        fieldSize(nameLength) + fieldSize(valueLength)
    }

    /// Bytes of the `Sample` message's content.
    @inline(__always)
    static func sampleSize(value: Double, timestamp: Int64) -> Int {
        (value.bitPattern != 0 ? 9 : 0) + (timestamp != 0 ? 1 + varintSize(UInt64(bitPattern: timestamp)) : 0)
    }

    /// Writes `value` as a varint at `pointer`, advancing it.
    @inline(__always)
    static func writeVarint(_ value: UInt64, _ pointer: inout UnsafeMutablePointer<UInt8>) {
        var rest = value
        while rest >= 0x80 {
            pointer.pointee = UInt8(truncatingIfNeeded: rest) | 0x80
            pointer += 1
            rest >>= 7
        }
        pointer.pointee = UInt8(rest)
        pointer += 1
    }

    /// Writes a tag and length, advancing `pointer`.
    @inline(__always)
    static func writeHeader(_ tag: UInt8, length: Int, _ pointer: inout UnsafeMutablePointer<UInt8>) {
        pointer.pointee = tag
        pointer += 1
        writeVarint(UInt64(length), &pointer)
    }

    /// Writes a length-delimited string field, advancing `pointer`.
    @inline(__always)
    static func writeString(
        _ tag: UInt8, _ bytes: UnsafePointer<UInt8>, count: Int, _ pointer: inout UnsafeMutablePointer<UInt8>
    ) {
        writeHeader(tag, length: count, &pointer)
        pointer.update(from: bytes, count: count)
        pointer += count
    }

    /// Writes the `samples` field (header and content), advancing `pointer`.
    @inline(__always)
    static func writeSample(value: Double, timestamp: Int64, _ pointer: inout UnsafeMutablePointer<UInt8>) {
        writeHeader(lengthDelimitedField2, length: sampleSize(value: value, timestamp: timestamp), &pointer)
        if value.bitPattern != 0 {
            pointer.pointee = fixed64Field1
            pointer += 1
            // Little-endian, as protobuf's fixed64 is.
            UnsafeMutableRawPointer(pointer).storeBytes(of: value.bitPattern.littleEndian, as: UInt64.self)
            pointer += 8
        }
        if timestamp != 0 {
            pointer.pointee = varintField2
            pointer += 1
            writeVarint(UInt64(bitPattern: timestamp), &pointer)
        }
    }

    /// A read failure: the bytes are not a series this encoder wrote.
    struct Malformed: Error {}

    /// Reads one series (the content of a `timeseries` field): its labels, first sample value and
    /// timestamp. For tests and logs; the sending path never decodes.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws -> (
        labels: [(String, String)], value: Double, timestamp: Int64
    ) {
        var reader = Reader(bytes: bytes)
        var labels: [(String, String)] = []
        var value = 0.0
        var timestamp: Int64 = 0
        var sawSample = false
        while !reader.atEnd {
            let tag = try reader.varint()
            let content = try reader.lengthDelimited()
            var inner = Reader(bytes: content)
            switch tag {
            case UInt64(lengthDelimitedField1):
                var name = "", labelValue = ""
                while !inner.atEnd {
                    let field = try inner.varint()
                    let string = String(decoding: try inner.lengthDelimited(), as: UTF8.self)
                    if field == UInt64(lengthDelimitedField1) { name = string } else { labelValue = string }
                }
                labels.append((name, labelValue))
            case UInt64(lengthDelimitedField2) where !sawSample:
                sawSample = true
                while !inner.atEnd {
                    switch try inner.varint() {
                    case UInt64(fixed64Field1): value = Double(bitPattern: try inner.fixed64())
                    case UInt64(varintField2): timestamp = Int64(bitPattern: try inner.varint())
                    default: throw Malformed()
                    }
                }
            default:
                throw Malformed()
            }
        }
        return (labels, value, timestamp)
    }

    /// A cursor over protobuf bytes.
    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        var atEnd: Bool { position >= bytes.count }

        mutating func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while position < bytes.count && shift < 64 {
                let byte = bytes[position]
                position += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return result }
                shift += 7
            }
            throw Malformed()
        }

        mutating func fixed64() throws -> UInt64 {
            guard bytes.count - position >= 8 else { throw Malformed() }
            var result: UInt64 = 0
            for index in 0..<8 { result |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
            position += 8
            return result
        }

        mutating func lengthDelimited() throws -> UnsafeBufferPointer<UInt8> {
            let length = Int(try varint())
            guard length >= 0, bytes.count - position >= length else { throw Malformed() }
            defer { position += length }
            return UnsafeBufferPointer(rebasing: bytes[position..<position + length])
        }
    }
}
