// Parse + write throughput of the metric core on a kubelet-cAdvisor-like body, next to the physical
// floor of one memchr pass over the same bytes. Run with `make bench` (release build).
//
// Target (../shared/DESIGN.md): at least 300 MB/s of exposition text per core for parse + write.

import BridgeCore
import BridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

let seriesWanted = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 100_000 : 100_000
let rounds = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 7 : 7
let body = CadvisorBodyGenerator(atLeastSeries: seriesWanted).body()
let megabytes = Double(body.count) / 1_000_000

/// Runs `work` `rounds` times and returns the median duration in seconds.
func measure(_ work: () -> Int) -> (seconds: Double, result: Int) {
    var times: [Double] = []
    var result = 0
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        result = work()
        let elapsed = ContinuousClock.now - start
        times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    return (times.sorted()[times.count / 2], result)
}

let floor = measure {
    body.withUnsafeBytes { raw in
        var lines = 0
        var position = 0
        while position < raw.count, let found = memchr(raw.baseAddress! + position, 0x0A, raw.count - position) {
            position = raw.baseAddress!.distance(to: UnsafeRawPointer(found)) + 1
            lines += 1
        }
        return lines
    }
}

var issues = ParseIssues()
let parseOnly = measure {
    MetricBatch.parse(body, format: .text, issues: &issues).samples.count
}
let samples = parseOnly.result

var output: [UInt8] = []
output.reserveCapacity(body.count)
let parseWrite = measure {
    output.removeAll(keepingCapacity: true)
    let batch = MetricBatch.parse(body, format: .text, issues: &issues)
    ExpositionWriter(format: .text).emit(batch, into: &output)
    return output.count
}

var previous = MetricBatch.parse(body, format: .text, issues: &issues).symbols
let steady = measure {
    output.removeAll(keepingCapacity: true)
    let batch = MetricBatch.parse(body, format: .text, symbols: previous, issues: &issues)
    ExpositionWriter(format: .text).emit(batch, into: &output)
    previous = batch.symbols
    return output.count
}

// A steady target repeats its series line for line: the scrape processor hands the parse the last
// scrape's table and series shape, so repeated lines skip lexing and interning their labels.
let lastBatch = MetricBatch.parse(body, format: .text, issues: &issues)
let lastShape = MetricBatch.SeriesShape(lastBatch)
var steadyTable = lastBatch.symbols
let reusedParse = measure {
    let batch = MetricBatch.parse(body, format: .text, symbols: steadyTable, issues: &issues)
    steadyTable = batch.symbols
    return batch.samples.count
}
let knownParseWrite = measure {
    output.removeAll(keepingCapacity: true)
    let batch = MetricBatch.parse(body, format: .text, symbols: steadyTable, expected: lastShape, issues: &issues)
    ExpositionWriter(format: .text).emit(batch, into: &output)
    steadyTable = batch.symbols
    return output.count
}
let knownParse = measure {
    let batch = MetricBatch.parse(body, format: .text, symbols: steadyTable, expected: lastShape, issues: &issues)
    steadyTable = batch.symbols
    return batch.samples.count
}

/// `value` with `decimals` digits after the point, right-aligned in `width` (no Foundation here).
func fixed(_ value: Double, _ decimals: Int, width: Int = 0) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = Int64((value * scale).rounded())
    var text = String(scaled / Int64(scale))
    if decimals > 0 {
        let fraction = String(abs(scaled) % Int64(scale))
        text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
    return String(repeating: " ", count: max(0, width - text.count)) + text
}

func row(_ name: String, _ seconds: Double) -> String {
    let perSample = seconds * 1e9 / Double(samples)
    return name + String(repeating: " ", count: max(1, 40 - name.count))
        + fixed(megabytes / seconds, 1, width: 8) + " MB/s" + fixed(Double(samples) / seconds, 0, width: 12)
        + " samples/s" + fixed(perSample, 1, width: 8) + " ns/sample"
}

print("body: \(body.count) bytes, \(samples) samples, \(issues.count) bad lines; median of \(rounds) rounds")
print(row("memchr floor (newline scan)", floor.seconds))
print(row("parse (text 0.0.4)", parseOnly.seconds))
print(row("parse, table reused", reusedParse.seconds))
print(row("parse, table and last shape reused", knownParse.seconds))
print(row("parse + write, fresh symbol table", parseWrite.seconds))
print(row("parse + write, table reused", steady.seconds))
print(row("parse + write, table and shape reused", knownParseWrite.seconds))
print(
    "repeated series known from the last shape: parse in " + fixed(knownParse.seconds / reusedParse.seconds, 2)
        + "x the time")
let best = min(parseWrite.seconds, steady.seconds, knownParseWrite.seconds)
print(
    "speed relative to the memchr floor: " + fixed(floor.seconds / parseWrite.seconds, 3) + " (fresh), "
        + fixed(floor.seconds / steady.seconds, 3) + " (reused)")
print(
    "against the 300 MB/s target: " + fixed(megabytes / parseWrite.seconds / 300, 2) + "x (fresh), "
        + fixed(megabytes / steady.seconds / 300, 2) + "x (reused), "
        + fixed(megabytes / knownParseWrite.seconds / 300, 2)
        + "x (steady, shape known): " + (megabytes / best >= 300 ? "MET" : "NOT MET"))
