import BridgeCore
import BridgeHTTP
import Synchronization

/// What `/metrics` serves: the latest enriched scrape of every target, plus other sources (the
/// topology's series), rendered once per change and format and shared by every scraper.
///
/// Rendering 140,000 series takes tens of milliseconds; 20 StackLight replicas asking at once must
/// not multiply that, and must all get the same complete answer. So a rendered body (and its gzip
/// form) is cached until a source changes or a target turns stale, and requests in between share
/// it. A target not heard from for two intervals is stale (DESIGN.md): its series leave the
/// output until it is scraped again. "Heard from" is when its last result arrived, not the
/// scrape's start time: a scrape that runs to a timeout as long as its interval arrives an
/// interval after it started, and its `up` 0 must stay in the output while the target keeps
/// failing.
public final class ExpositionSnapshot: Sendable {
    /// One source's batches and how fresh they are.
    struct Source {
        var batches: [MetricBatch]
        /// When it was produced, in milliseconds since the epoch.
        var timestamp: Int64
        /// When it was handed over (``update(_:batches:timestamp:interval:)``), by `now`.
        var receivedAt: Int64
        /// How often it is refreshed; nil for sources that never go stale.
        var interval: Duration?
    }

    struct Rendered {
        var body: [UInt8]
        var gzip: [UInt8]?
    }

    private struct State {
        var sources: [String: Source] = [:]
        var generation: UInt64 = 0
        var cache: [ExpositionFormat: (generation: UInt64, stale: Set<String>, rendered: Rendered)] = [:]
    }

    private let state = Mutex(State())
    /// Serialises rendering, so that concurrent requests for a new generation render it once.
    private let renderLock = Mutex(())
    private let now: @Sendable () -> Int64

    /// An empty snapshot; `now` gives milliseconds since the epoch (injectable for tests).
    public init(now: @escaping @Sendable () -> Int64) {
        self.now = now
    }

    /// Replaces the batches of `source` (a target id, or a name such as `topology`).
    public func update(_ source: String, batches: [MetricBatch], timestamp: Int64, interval: Duration?) {
        let receivedAt = now()
        state.withLock { state in
            state.sources[source] = Source(
                batches: batches, timestamp: timestamp, receivedAt: receivedAt, interval: interval)
            state.generation &+= 1
        }
    }

    /// Removes `source` (a target that left the target set).
    public func remove(_ source: String) {
        state.withLock { state in
            if state.sources.removeValue(forKey: source) != nil { state.generation &+= 1 }
        }
    }

    /// How many series the current output holds, stale sources left out.
    public var seriesCount: Int {
        let time = now()
        return state.withLock { state in
            state.sources.values.filter { !Self.isStale($0, at: time) }
                .reduce(0) { $0 + $1.batches.reduce(0) { $0 + $1.samples.count } }
        }
    }

    /// The batches of every fresh source except `excluded`, each with its scrape time (ms), in
    /// source order: what the StackState forwarder sends as series.
    public func latestBatches(excluding excluded: Set<String> = []) -> [(batch: MetricBatch, timestamp: Int64)] {
        let time = now()
        return state.withLock { state in
            state.sources.filter { !excluded.contains($0.key) && !Self.isStale($0.value, at: time) }
                .sorted { $0.key < $1.key }
                .flatMap { _, source in source.batches.map { ($0, source.timestamp) } }
        }
    }

    /// The body for `format`, gzip-compressed when `gzip` is set.
    public func render(_ format: ExpositionFormat, gzip: Bool) -> [UInt8] {
        let time = now()
        let hit: [UInt8]? = state.withLock { state in
            guard let cached = state.cache[format], cached.generation == state.generation else { return nil }
            let stale = Set(state.sources.filter { Self.isStale($0.value, at: time) }.keys)
            guard cached.stale == stale else { return nil }
            return gzip ? cached.rendered.gzip : cached.rendered.body
        }
        if let hit { return hit }
        return renderLock.withLock { _ in
            let time = now()
            let (generation, sources, stale, cached) = state.withLock { state in
                let stale = Set(state.sources.filter { Self.isStale($0.value, at: time) }.keys)
                return (state.generation, state.sources, stale, state.cache[format])
            }
            var rendered: Rendered
            if let cached, cached.generation == generation, cached.stale == stale {
                rendered = cached.rendered
            } else {
                var body: [UInt8] = []
                let batches = sources.sorted { $0.key < $1.key }.filter { !stale.contains($0.key) }
                    .flatMap(\.value.batches)
                ExpositionWriter(format: format).emit(merging: batches, into: &body)
                rendered = Rendered(body: body, gzip: nil)
            }
            if gzip && rendered.gzip == nil { rendered.gzip = Gzip.compress(rendered.body) }
            let result = gzip ? rendered.gzip! : rendered.body
            state.withLock { state in
                // Keep only what matches the newest generation; an update during rendering wins.
                if state.generation == generation { state.cache[format] = (generation, stale, rendered) }
            }
            return result
        }
    }

    private static func isStale(_ source: Source, at time: Int64) -> Bool {
        guard let interval = source.interval else { return false }
        let milliseconds = interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000
        return source.receivedAt + 2 * milliseconds < time
    }
}
