import BridgeHTTP
import BridgeTopology
import Logging
import ServiceLifecycle

/// Runs one ``ScrapeLoop`` per target of a target set that changes over time.
///
/// Every loop is a child task of the pool, so one slow or hanging target never delays another, and
/// graceful shutdown cancels them all. When a new target set arrives, loops of targets that left
/// are stopped and deliver staleness markers for their series; new targets start; a target whose
/// settings changed is restarted.
public struct ScrapePool: ServiceLifecycle.Service {
    let client: HTTPClient
    let sink: any ScrapeSink
    let logger: Logger
    let updates: AsyncStream<[ScrapeTarget]>
    let enricher: Enricher?
    let startWhen: @Sendable () async -> Void

    /// Creates a pool that scrapes the target sets `updates` yields, the first one once `startWhen`
    /// returns (right away by default), and joins every series through `enricher` when given.
    public init(
        client: HTTPClient, sink: any ScrapeSink, logger: Logger, updates: AsyncStream<[ScrapeTarget]>,
        enricher: Enricher? = nil, startWhen: @escaping @Sendable () async -> Void = {}
    ) {
        self.enricher = enricher
        self.startWhen = startWhen
        self.client = client
        self.sink = sink
        self.logger = logger
        self.updates = updates
    }

    private struct Running {
        let target: ScrapeTarget
        let removal: RemovalFlag
        let stop: AsyncStream<Void>.Continuation
    }

    /// Scrapes until cancelled.
    public func run() async {
        await startWhen()
        await withDiscardingTaskGroup { group in
            var running: [String: Running] = [:]
            for await targets in updates.cancelOnGracefulShutdown() {
                let wanted = Dictionary(targets.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                for (id, loop) in running where wanted[id] != loop.target {
                    loop.removal.set()
                    loop.stop.finish()
                    running[id] = nil
                }
                for (id, target) in wanted where running[id] == nil {
                    let removal = RemovalFlag()
                    let (stopSignal, stop) = AsyncStream<Void>.makeStream()
                    running[id] = Running(target: target, removal: removal, stop: stop)
                    let eventLoop = client.loop(for: target.idHash)
                    let loop = ScrapeLoop(
                        target: target, client: client, sink: sink, logger: logger, clock: eventLoop.clock,
                        removal: removal, enricher: enricher, executor: eventLoop.executor
                    )
                    group.addTask { await Self.run(loop, until: stopSignal) }
                }
                logger.info("scrape targets updated", metadata: ["scrape.targets": .stringConvertible(running.count)])
            }
            for loop in running.values { loop.stop.finish() }
        }
    }

    /// Runs `loop` until it ends or `stopSignal` finishes.
    private static func run(_ loop: ScrapeLoop<HTTPLoopClock>, until stopSignal: AsyncStream<Void>) async {
        await withTaskGroup(of: Void.self) { inner in
            inner.addTask { try? await loop.run() }
            inner.addTask { for await _ in stopSignal {} }
            await inner.next()
            inner.cancelAll()
        }
    }
}

extension ScrapePool: CustomStringConvertible {
    /// The name service lifecycle logs use; targets carry credentials and are not printed.
    public var description: String { "ScrapePool" }
}
