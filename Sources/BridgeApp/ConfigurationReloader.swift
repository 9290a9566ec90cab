import BridgeCore
import Foundation
import Logging
import Synchronization

/// Re-reads the configuration file on SIGHUP or `POST /-/reload`, as Prometheus does: a file
/// that does not load (or that `Bridge` would refuse) is reported and the running configuration
/// kept; one that loads replaces the running configuration's reloadable part.
///
/// What changes without a restart is `scrape:` (targets, intervals, timeouts, relabeling,
/// limits): the target set is worked out again at once and each scrape loop whose target changed
/// starts over. `scrape.body_memory_budget` and every other section are fixed at start; a reload
/// that changes them logs which ones need a restart, and keeps their running values.
public final class ConfigurationReloader: Sendable {
    /// What a reload did.
    public struct Outcome: Sendable, Equatable {
        /// Sections that changed in the file but only take effect after a restart.
        public var restartNeeded: [String]
        /// Whether the reloadable part changed.
        public var applied: Bool
    }

    private struct State {
        var running: Configuration
        var generation = 0
        var lastSuccessful = true
        var lastSuccess: Double
    }

    /// The file read on each reload; nil for a configuration that did not come from a file.
    public let file: String?
    private let state: Mutex<State>
    private let overrides: @Sendable (inout Configuration) throws(ConfigurationError) -> Void
    private let check: @Sendable (Configuration) throws(ConfigurationError) -> Void
    private let logger: Logger
    /// Serialises reloads, so that two SIGHUPs in a row apply in order.
    private let reloading = Mutex(())

    /// A reloader running `initial` (read from `file`). `overrides` re-applies the command line
    /// (such as `--listen`) to each reload; `check` refuses what the bridge would refuse at start.
    public init(
        file: String?, initial: Configuration, logger: Logger,
        overrides: @escaping @Sendable (inout Configuration) throws(ConfigurationError) -> Void = { _ in },
        check: @escaping @Sendable (Configuration) throws(ConfigurationError) -> Void = { _ in }
    ) {
        self.file = file
        self.logger = logger
        self.overrides = overrides
        self.check = check
        state = Mutex(State(running: initial, lastSuccess: Date().timeIntervalSince1970))
    }

    /// The configuration running now.
    public var running: Configuration { state.withLock { $0.running } }

    /// The running `scrape:` section.
    public var scrape: Configuration.Scrape { state.withLock { $0.running.scrape } }

    /// Moves on each reload that changed the reloadable part, for watchers to notice.
    public var generation: Int { state.withLock { $0.generation } }

    /// `stackbridge_config_last_reload_successful` and `_success_timestamp_seconds`.
    public var lastReload: (successful: Bool, successTimestamp: Double) {
        state.withLock { ($0.lastSuccessful, $0.lastSuccess) }
    }

    /// Reads the file again and applies it; `trigger` (`SIGHUP`, `HTTP`) is logged.
    @discardableResult
    public func reload(trigger: String) -> Result<Outcome, ConfigurationError> {
        reloading.withLock { _ in
            let result = load()
            switch result {
            case .success(let loaded):
                let outcome = state.withLock { state -> Outcome in
                    let outcome = Self.compare(state.running, loaded)
                    if outcome.applied {
                        state.running.scrape = Self.reloadable(loaded.scrape, keeping: state.running.scrape)
                        state.generation += 1
                    }
                    state.lastSuccessful = true
                    state.lastSuccess = Date().timeIntervalSince1970
                    return outcome
                }
                var metadata: Logger.Metadata = [
                    "config.trigger": .string(trigger), "config.applied": .stringConvertible(outcome.applied),
                ]
                if !outcome.restartNeeded.isEmpty {
                    metadata["config.restart_needed"] = .string(outcome.restartNeeded.joined(separator: ","))
                    logger.warning("configuration reloaded; some changes need a restart", metadata: metadata)
                } else {
                    logger.info("configuration reloaded", metadata: metadata)
                }
                return .success(outcome)
            case .failure(let error):
                state.withLock { $0.lastSuccessful = false }
                logger.error(
                    "configuration reload failed; the running configuration is kept",
                    metadata: ["config.trigger": .string(trigger), "config.error": .string("\(error)")])
                return .failure(error)
            }
        }
    }

    private func load() -> Result<Configuration, ConfigurationError> {
        guard let file else {
            return .failure(
                ConfigurationError(path: "", value: "", expected: "a configuration file to reload (none was given)"))
        }
        do throws(ConfigurationError) {
            var configuration = try Configuration.load(file: file)
            try overrides(&configuration)
            try check(configuration)
            return .success(configuration)
        } catch {
            return .failure(error)
        }
    }

    /// The scrape section to run: `loaded`, with what is fixed at start kept from `running`.
    static func reloadable(_ loaded: Configuration.Scrape, keeping running: Configuration.Scrape)
        -> Configuration.Scrape
    {
        var scrape = loaded
        scrape.bodyMemoryBudget = running.bodyMemoryBudget
        return scrape
    }

    /// Which sections changed, and whether the reloadable part did.
    static func compare(_ running: Configuration, _ loaded: Configuration) -> Outcome {
        var restart: [String] = []
        if running.clusterName != loaded.clusterName { restart.append("cluster_name") }
        if running.mode != loaded.mode { restart.append("mode") }
        if running.kubernetes != loaded.kubernetes { restart.append("kubernetes") }
        if running.scrape.bodyMemoryBudget != loaded.scrape.bodyMemoryBudget {
            restart.append("scrape.body_memory_budget")
        }
        if running.enrich != loaded.enrich { restart.append("enrich") }
        if running.server != loaded.server { restart.append("server") }
        if running.topologyMetrics != loaded.topologyMetrics { restart.append("topology_metrics") }
        if running.processes != loaded.processes { restart.append("processes") }
        if running.remoteWrite != loaded.remoteWrite { restart.append("remote_write") }
        if running.stackState != loaded.stackState { restart.append("stackstate") }
        let applied = reloadable(loaded.scrape, keeping: running.scrape) != running.scrape
        return Outcome(restartNeeded: restart, applied: applied)
    }
}
