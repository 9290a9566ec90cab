import CZlib

/// Inflates a gzip body as it arrives, so that a body limit applies to the decoded bytes without
/// holding the compressed ones, and so that a stream which stops before its end (a truncated
/// body) is told apart from a complete one. libcurl's own decoder hands over whatever it decoded
/// and reports success for a gzip stream cut in half; Go's `gzip.Reader`, which Prometheus reads
/// scrapes through, fails with `unexpected EOF`.
///
/// Concatenated gzip members are read one after another, as Go's reader does by default.
final class GzipInflater {
    /// How one call ended.
    enum Outcome: Equatable {
        /// All input was consumed (or the stream ended); more may follow.
        case more
        /// The data is not gzip, or is corrupt; zlib's reason.
        case corrupt(String)
        /// The receiver of decoded bytes refused them.
        case refused
    }

    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
    /// Whether the last member read ended where the input ended: the body is complete.
    private(set) var atMemberEnd = false
    private var sawInput = false

    /// A new inflater; nil when zlib cannot allocate its state.
    init?() {
        stream.initialize(to: z_stream())
        guard stackbridge_inflate_init_auto(stream) == Z_OK else {
            stream.deallocate()
            scratch.deallocate()
            return nil
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        scratch.deallocate()
    }

    /// Whether the body so far is a complete gzip stream (an empty body counts as complete).
    var isComplete: Bool { !sawInput || atMemberEnd }

    /// Inflates `input`, handing each decoded piece to `emit`, which returns false to stop.
    func inflate(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Bool) -> Outcome {
        guard let base = input.baseAddress, !input.isEmpty else { return .more }
        sawInput = true
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(input.count)
        while true {
            if atMemberEnd {
                // Another member follows the one that ended.
                guard stream.pointee.avail_in > 0 else { return .more }
                inflateReset(stream)
                atMemberEnd = false
            }
            stream.pointee.next_out = scratch.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(scratch.count)
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            let produced = scratch.count - Int(stream.pointee.avail_out)
            if produced > 0, !emit(UnsafeRawBufferPointer(rebasing: scratch[0..<produced])) { return .refused }
            switch status {
            case Z_STREAM_END:
                atMemberEnd = true
            case Z_OK:
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return .more }
            case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                return .more
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                return .corrupt(reason)
            }
        }
    }
}
