import BridgeCore
import BridgeHTTP
import BridgeTopology
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Scrapes one target on its interval and hands every result to a sink.
///
/// The first scrape waits for the target's jitter offset; later ones follow the interval, skipping
/// ticks that a slow scrape overran instead of bunching up. Cancellation ends the loop between or
/// during scrapes (an in-flight request is aborted).
public struct ScrapeLoop<C: Clock>: ServiceLifecycle.Service where C.Duration == Duration {
    /// The Accept header Prometheus 2.42 sends: OpenMetrics first, text 0.0.4 as fallback.
    public static var acceptHeader: String {
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
    }

    let target: ScrapeTarget
    let client: HTTPClient
    let sink: any ScrapeSink
    let logger: Logger
    let clock: C
    let wallClock: @Sendable () -> Int64
    let removal: RemovalFlag
    let enricher: Enricher?
    let executor: (any TaskExecutor)?
    /// The job and the redacted target URL every log line of the loop carries, worked out once:
    /// redacting the URL for every scrape cost about 2 % of the CPU of a bridge scraping 400
    /// targets (docs/performance.md, "Where the time goes").
    private let targetMetadata: Logger.Metadata
    /// One warning per five minutes about duplicate series, with the count left out in between.
    private let duplicateWarnings = LogThrottle(interval: .seconds(300))

    /// Creates the loop; `wallClock` gives sample timestamps in milliseconds since the epoch.
    /// With an `executor`, the loop runs on it throughout (``run()``).
    public init(
        target: ScrapeTarget,
        client: HTTPClient,
        sink: any ScrapeSink,
        logger: Logger,
        clock: C,
        wallClock: @escaping @Sendable () -> Int64 = ScrapeClock.nowMilliseconds,
        removal: RemovalFlag = RemovalFlag(),
        enricher: Enricher? = nil,
        executor: (any TaskExecutor)? = nil
    ) {
        self.executor = executor
        self.enricher = enricher
        self.target = target
        self.client = client
        self.sink = sink
        self.logger = logger
        self.clock = clock
        self.wallClock = wallClock
        self.removal = removal
        targetMetadata = ["scrape.job": .string(target.job), "scrape.target": .string(RedactedURL.string(target.url))]
    }

    /// Scrapes until cancelled; a target that was removed from the set delivers its staleness markers.
    ///
    /// The ``ScrapePool`` gives each loop an ``HTTPLoop`` of the scrape client as executor and clock:
    /// the timer, the request, the parse and the delivery of a scrape then run on that loop's
    /// thread, off the cooperative pool (processing a 1 MB body takes milliseconds of pure CPU, and
    /// two hundred of them on the pool would queue in front of the `/metrics` server and timers),
    /// and without waking another thread between the steps.
    public func run() async throws {
        if let executor {
            try await withTaskExecutorPreference(executor) { try await loop() }
        } else {
            try await loop()
        }
    }

    private func loop() async throws {
        var processor = ScrapeProcessor(target: target, enricher: enricher)
        var failures = FailureLog<C.Instant>()
        var next = clock.now.advanced(
            by: ScrapeJitter.firstWait(for: target, interval: target.interval, now: wallClock()))
        do {
            while true {
                try await clock.sleep(until: next, tolerance: nil)
                // A scrape aborted by cancellation says nothing about the target: it is not reported,
                // and the processor keeps the last series for the staleness markers of a removal.
                guard let result = await scrape(&processor) else { throw CancellationError() }
                report(result, failures: &failures)
                await sink.deliver(result)
                // Like Go's ticker under Prometheus' scrape loop: a tick missed while scraping is
                // taken at once, older ones are dropped. A scrape that runs to a timeout equal to
                // the interval then reports every interval, and its `up` 0 never goes stale.
                next = next.advanced(by: target.interval)
                let now = clock.now
                while next.advanced(by: target.interval) <= now { next = next.advanced(by: target.interval) }
            }
        } catch {
            if removal.isRemoved { await sink.remove(target, stale: processor.removed()) }
            if !(error is CancellationError) { throw error }
        }
    }

    /// One scrape: GET, then parse and process the body, or record the failure; nil when the
    /// calling task was cancelled during the scrape.
    public func scrape(_ processor: inout ScrapeProcessor) async -> ScrapeResult? {
        let timestamp = wallClock()
        let start = clock.now
        var request = HTTPRequest(
            url: target.url,
            headers: [
                ("Accept", Self.acceptHeader),
                ("X-Prometheus-Scrape-Timeout-Seconds", Self.secondsText(target.timeout)),
            ],
            connectTimeout: min(target.timeout, .seconds(5)),
            timeout: target.timeout,
            maxBodyBytes: target.bodyLimit,
            security: target.security
        )
        // Gzip only, inflated by the bridge, as Prometheus asks: a truncated body fails the scrape.
        request.strictGzip = true
        // Room for a body the size of the last one and an eighth more, made once.
        request.expectedBodyBytes = processor.lastBodyBytes + processor.lastBodyBytes / 8
        do {
            var response = try await client.execute(request).requireSuccess(url: target.url)
            // Moved out, so that the processor's copy is the only one and it can free the body early.
            let body = response.body
            response.body = []
            return processor.process(
                body: consume body,
                contentType: response.header("Content-Type"),
                timestamp: timestamp,
                duration: { Self.seconds(start.duration(to: clock.now)) }
            )
        } catch {
            if error.kind == .cancelled && Task.isCancelled { return nil }
            let duration = Self.seconds(start.duration(to: clock.now))
            return processor.fail(
                ScrapeFailure(reason: Self.reason(for: error.kind), message: error.description), timestamp: timestamp,
                duration: duration)
        }
    }

    private func report(_ result: ScrapeResult, failures: inout FailureLog<C.Instant>) {
        var metadata = targetMetadata
        switch failures.record(failure: result.failure?.reason, at: clock.now) {
        case .failing(let suppressed):
            metadata["scrape.reason"] = .string(result.failure?.reason ?? "")
            metadata["scrape.error"] = .string(result.failure?.message ?? "")
            metadata["scrape.suppressed"] = .stringConvertible(suppressed)
            logger.warning("scrape failed", metadata: metadata)
        case .recovered(let count):
            metadata["scrape.failures"] = .stringConvertible(count)
            logger.info("scrape recovered", metadata: metadata)
        case .none:
            break
        }
        if result.duplicates > 0, let suppressed = duplicateWarnings.admit("duplicates") {
            // Prometheus drops them and warns ("duplicate sample for timestamp"); so does the bridge.
            var duplicates = metadata
            duplicates["scrape.duplicates"] = .stringConvertible(result.duplicates)
            duplicates["scrape.suppressed"] = .stringConvertible(suppressed)
            logger.warning("scrape dropped duplicate series", metadata: duplicates)
        }
        logger.debug(
            "scrape done",
            metadata: metadata.merging(["scrape.samples": .stringConvertible(result.series.samples.count)]) { $1 }
        )
    }

    /// The `reason` a failed request is counted under: the HTTP error's kind, with Prometheus'
    /// name for a body over the limit.
    static func reason(for kind: HTTPError.Kind) -> String {
        kind == .bodyTooLarge ? "body_size_limit" : kind.rawValue
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    static func secondsText(_ duration: Duration) -> String {
        let value: Double = seconds(duration)
        return value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// Set by the pool before it cancels a loop whose target left the target set.
public final class RemovalFlag: Sendable {
    private let flag = Mutex(false)

    /// A flag that is not set.
    public init() {}

    /// Marks the target removed.
    public func set() { flag.withLock { $0 = true } }

    /// Whether the target was removed.
    public var isRemoved: Bool { flag.withLock { $0 } }
}

/// Wall-clock time for sample timestamps.
public enum ScrapeClock {
    /// Milliseconds since the Unix epoch.
    @Sendable public static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}

extension ScrapeLoop: CustomStringConvertible {
    /// `ScrapeLoop(job <url with secrets redacted>)`.
    public var description: String { "ScrapeLoop(\(target.job) \(RedactedURL.string(target.url)))" }
}
