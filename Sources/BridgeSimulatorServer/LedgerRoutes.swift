import BridgeRemoteWrite
import BridgeSimulator
import CPrompb
import Foundation
import Hummingbird

/// A remote-write receiver that keeps a ledger of who sent which series when
/// (``BridgeSimulator/RemoteWriteLedger``): `POST /ledger/<sender>/api/v1/write` takes a
/// snappy-compressed `WriteRequest` from `<sender>`; `GET /ledger/report` says what it found. The
/// scale bench points each kube-state-metrics shard's sidecar at its own sender path.
public enum LedgerRoutes {
    /// Registers the routes for `ledger`.
    public static func register(_ router: Router<BasicRequestContext>, ledger: RemoteWriteLedger) {
        router.post("/ledger/:sender/api/v1/write") { request, context -> Response in
            let sender = context.parameters.get("sender") ?? ""
            let body = [UInt8](buffer: try await request.body.collect(upTo: 64 << 20))
            guard let protobuf = Snappy.uncompress(body), let series = decode(protobuf) else {
                return ReceiverRoutes.text("not a snappy-compressed WriteRequest\n", .badRequest)
            }
            ledger.record(sender: sender, series: series)
            return Response(status: .noContent)
        }
        router.get("/ledger/report") { _, _ -> Response in
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let data = (try? encoder.encode(ledger.report)) ?? Data()
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// The series of a `WriteRequest`, read with protobuf-c's unpacker.
    static func decode(_ protobuf: [UInt8]) -> [(
        labels: [(String, String)], samples: [(bits: UInt64, timestamp: Int64)]
    )]? {
        guard
            let request = protobuf.withUnsafeBufferPointer({
                prometheus__write_request__unpack(nil, $0.count, $0.baseAddress)
            })
        else { return nil }
        defer { prometheus__write_request__free_unpacked(request, nil) }
        return (0..<request.pointee.n_timeseries).compactMap { index in
            guard let series = request.pointee.timeseries[index]?.pointee else { return nil }
            let labels = (0..<series.n_labels).compactMap { labelIndex -> (String, String)? in
                guard let label = series.labels[labelIndex]?.pointee else { return nil }
                return (String(cString: label.name), String(cString: label.value))
            }
            let samples = (0..<series.n_samples).compactMap { sampleIndex -> (bits: UInt64, timestamp: Int64)? in
                guard let sample = series.samples[sampleIndex]?.pointee else { return nil }
                return (sample.value.bitPattern, sample.timestamp)
            }
            return (labels, samples)
        }
    }
}
