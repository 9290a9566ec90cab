import BridgeCore
import BridgeTopology

/// Builds `POST /api/v1/series` bodies from enriched scrape batches (reference/stackstate-receiver.md
/// §4a): `{"series":[{"metric","points":[[s,v]],"tags":[…],"host","type","interval"}]}`, split
/// into bodies of at most `seriesPerBody` series so each stays well under the receiver's 2 MiB
/// compressed limit.
///
/// The JSON is written byte by byte rather than through `JSONEncoder`: a cluster sends about
/// 140,000 series per interval, and the encoder's boxing would cost more than the scrape itself.
/// Every value is sent as the agent sends check metrics (`type: gauge`, `interval: 0`); counters keep
/// their cumulative value, so StackState's PromQL `rate()` applies to them as to Prometheus data.
public struct SeriesBody: Sendable {
    /// Most series in one body.
    public let seriesPerBody: Int
    let tagging: SeriesTagging
    let cluster: String
    let nodeLabel: String
    private var bodies: [(json: [UInt8], series: Int)] = []
    private var current: [UInt8] = []
    private var count = 0

    /// An empty builder for `cluster`'s series, enriched with `options`' label names.
    public init(cluster: String, options: EnrichmentOptions, seriesPerBody: Int = 2_000) {
        self.cluster = cluster
        self.seriesPerBody = max(1, seriesPerBody)
        tagging = SeriesTagging(options: options, cluster: cluster)
        nodeLabel = options.nodeLabel
    }

    /// Adds every finite sample of `batch`, stamped with its own time or `timestamp` (ms).
    public mutating func append(_ batch: MetricBatch, timestamp: Int64) {
        for sample in batch.samples where sample.value.isFinite {
            let labels = batch.labels(of: sample).map {
                (name: batch.symbols.string($0.name), value: batch.symbols.string($0.value))
            }
            let node = labels.first { $0.name == nodeLabel }?.value
            add(
                metric: batch.symbols.string(sample.name), tags: tagging.tags(labels),
                host: node.map { "\($0)-\(cluster)" } ?? "", seconds: (sample.timestamp ?? timestamp) / 1000,
                value: sample.value)
        }
    }

    /// The finished bodies (uncompressed JSON) with their series counts; none without samples.
    public mutating func finish() -> [(json: [UInt8], series: Int)] {
        if count > 0 { close() }
        defer { bodies = [] }
        return bodies
    }

    private mutating func add(metric: String, tags: [String], host: String, seconds: Int64, value: Double) {
        current.append(contentsOf: count == 0 ? Array(#"{"series":["#.utf8) : [UInt8(ascii: ",")])
        current.append(contentsOf: #"{"metric":"#.utf8)
        JSONText.appendString(metric, to: &current)
        current.append(contentsOf: #","points":[["#.utf8)
        NumberFormatting.appendInteger(seconds, to: &current)
        current.append(UInt8(ascii: ","))
        // Finite values only (checked by the caller), which this writes as valid JSON numbers.
        NumberFormatting.appendValue(value, to: &current)
        current.append(contentsOf: #"]],"tags":["#.utf8)
        for (index, tag) in tags.enumerated() {
            if index > 0 { current.append(UInt8(ascii: ",")) }
            JSONText.appendString(tag, to: &current)
        }
        current.append(contentsOf: #"],"host":"#.utf8)
        JSONText.appendString(host, to: &current)
        current.append(contentsOf: #","type":"gauge","interval":0}"#.utf8)
        count += 1
        if count == seriesPerBody { close() }
    }

    private mutating func close() {
        current.append(contentsOf: "]}".utf8)
        bodies.append((current, count))
        current = []
        count = 0
    }
}

/// JSON string escaping (RFC 8259 §7).
enum JSONText {
    /// Appends `string` quoted and escaped.
    static func appendString(_ string: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                buffer.append(contentsOf: Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
