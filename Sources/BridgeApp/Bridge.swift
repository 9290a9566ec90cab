import BridgeCore
import BridgeHTTP
import BridgeKubernetes
import BridgeRemoteWrite
import BridgeScrape
import BridgeServer
import BridgeStackState
import BridgeTopology
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import ServiceLifecycle

/// The running bridge: every service of a configuration, wired as DESIGN.md's data flow draws it —
/// watchers keep the cluster state, the topology is rebuilt from it, scrapes are joined to it, and
/// the server exposes the result.
public struct Bridge: Sendable {
    /// Readiness condition: every watched resource has completed its first list.
    public static let topologySynced = "topology synced"
    /// Readiness condition: every target of the first target set has been scraped once.
    public static let firstScrapeRound = "first scrape round done"
    /// How long the first scrapes wait for the first topology sync at most. Scraping after it
    /// joins the first series to the whole cluster, and keeps the first build of the topology
    /// (about 110 MB at 11,000 pods, freed after) and the first processing of the largest scrapes
    /// (about 130 MB for kube-state-metrics there) from adding up to the bridge's peak memory
    /// (docs/performance.md). A bridge whose API server is slow or gone waits at most this, or
    /// one scrape interval when that is shorter, on its account.
    public static let firstScrapeWait: Duration = .seconds(10)
    /// How long a watched resource may be out of sync (its list or watch failing, or a relist in
    /// progress after the server's history was lost) before `/readyz` says so: long enough for a
    /// watch to reconnect or a relist to finish, short enough that a bridge holding a stale view
    /// of the cluster stops being called ready.
    public static let syncGracePeriod: Duration = .seconds(30)
    /// How often memory freed inside the heap goes back to the system (MemoryReturner).
    public static let memoryReturnInterval: Duration = .seconds(10)

    /// The configuration it runs.
    public let configuration: Configuration
    /// Where the Kubernetes API is.
    public let apiServer: APIServerConfig
    /// The cluster's name, from the configuration or `cluster` inside a cluster.
    public let clusterName: String
    /// The cluster state the watchers keep.
    public let store: ClusterStore
    /// What `/metrics` serves.
    public let snapshot: ExpositionSnapshot
    /// The topology, built from `store` when a reader asks (TopologySource).
    public let topology: TopologySource
    /// `/readyz`'s conditions.
    public let readiness = Readiness(conditions: [Bridge.topologySynced, Bridge.firstScrapeRound])
    /// The bridge's own metrics.
    public let telemetry: Telemetry
    /// The StackState forwarder's settings with the API key filled in; nil when not configured.
    public let stackState: ForwarderSettings?
    /// The lease this replica competes for; nil without leader election.
    public let election: LeaderElector.Settings?
    /// Whether this replica leads (always, without an election).
    public let leadership: Leadership
    /// Re-reads the configuration file on SIGHUP and `POST /-/reload`.
    public let reloader: ConfigurationReloader
    /// The node collector's latest report (`processes.enabled`).
    let processReports = ProcessReportCache()
    /// What process collection and correlation did.
    let processTelemetry = ProcessTelemetry()
    /// The node reports the leader gathered last (`processes.enabled`).
    let latestProcessReports = LatestProcessReports()
    /// The kube-state-metrics shard forwarded, with `scrape.kube_state_metrics.telemetry_url`.
    let kubeStateMetricsShard: KubeStateMetricsShardState?
    let logger: Logger
    let environment: [String: String]

    /// Resolves the API server (explicit, in-cluster, or kubeconfig) and prepares the state.
    /// `file` is where `configuration` came from, for reloads; `overrides` re-applies the
    /// command line to each reloaded file.
    public init(
        configuration: Configuration,
        version: String,
        logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        file: String? = nil,
        overrides: @escaping @Sendable (inout Configuration) throws(ConfigurationError) -> Void = { _ in }
    ) throws(ConfigurationError) {
        self.configuration = configuration
        self.logger = logger
        self.environment = environment
        apiServer = try Self.resolveAPIServer(configuration, environment: environment)
        let inCluster = apiServer.source == .inCluster
        guard let name = configuration.clusterName ?? (inCluster ? "cluster" : nil) else {
            throw ConfigurationError(
                path: "cluster_name", value: "", expected: "the cluster's name (required outside a cluster)")
        }
        clusterName = name
        store = ClusterStore(clusterName: name)
        topology = TopologySource { [store] in TopologyBuilder.build(store.snapshot) }
        snapshot = ExpositionSnapshot(now: ScrapeClock.nowMilliseconds)
        telemetry = Telemetry(version: version, cluster: name)
        stackState = try Self.resolveStackState(configuration, environment: environment)
        election = try Self.resolveElection(configuration, apiServer: apiServer, environment: environment)
        leadership = Leadership(elected: election != nil)
        telemetry.add(leadership, lease: election.map { "\($0.namespace)/\($0.leaseName)" })
        telemetry.add(store)
        telemetry.add(exposedSeries: { [snapshot] in snapshot.seriesCount })
        try Self.checkWebConfig(configuration)
        reloader = ConfigurationReloader(
            file: file, initial: configuration, logger: logger, overrides: overrides,
            check: { configuration throws(ConfigurationError) in
                try Bridge.validate(configuration, environment: environment)
            })
        telemetry.add(reloader)
        telemetry.add(processTelemetry)
        kubeStateMetricsShard =
            configuration.scrape.kubeStateMetricsTelemetryURL == nil
            ? nil : KubeStateMetricsShardState(handover: configuration.scrape.interval * 2)
        if let kubeStateMetricsShard { telemetry.add(kubeStateMetricsShard) }
        readiness.addCheck { [store] in
            store.outOfSync(longerThan: Bridge.syncGracePeriod).map {
                "kubernetes \($0.resource) out of sync for \($0.duration.components.seconds) s"
            }
        }
    }

    /// Everything the bridge checks before it starts, without starting anything: the API server
    /// (explicit, in-cluster or kubeconfig, `exec` refused), the cluster name, the StackState API
    /// key, leader election and the web configuration. `config validate` and each reload run it,
    /// so they refuse what `run` refuses, with the same message.
    public static func validate(
        _ configuration: Configuration, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) {
        let apiServer = try resolveAPIServer(configuration, environment: environment)
        if configuration.clusterName == nil && apiServer.source != .inCluster {
            throw ConfigurationError(
                path: "cluster_name", value: "", expected: "the cluster's name (required outside a cluster)")
        }
        _ = try resolveStackState(configuration, environment: environment)
        _ = try resolveElection(configuration, apiServer: apiServer, environment: environment)
        try checkWebConfig(configuration)
    }

    /// The web configuration file loads (TLS material included), as the server will load it.
    static func checkWebConfig(_ configuration: Configuration) throws(ConfigurationError) {
        guard let file = configuration.server.webConfigFile else { return }
        let web = try WebConfig.load(file: file)
        if let tls = web.tls {
            do {
                _ = try tls.serverConfiguration()
            } catch {
                throw ConfigurationError(
                    file: file, path: "tls_server_config", value: tls.certFile, expected: "\(error)")
            }
        }
    }

    /// The lease settings: on by default in `cluster` mode, where the Deployment runs two replicas;
    /// refused in `node` mode, where every DaemonSet pod has a node of its own to serve.
    static func resolveElection(
        _ configuration: Configuration, apiServer: APIServerConfig, environment: [String: String]
    ) throws(ConfigurationError) -> LeaderElector.Settings? {
        let section = configuration.kubernetes.leaderElection
        guard section.enabled ?? (configuration.mode == .cluster) else { return nil }
        guard configuration.mode.watchesCluster else {
            throw ConfigurationError(
                path: "kubernetes.leader_election.enabled", value: "true",
                expected: "false in \(configuration.mode.rawValue) mode: every pod forwards a part of its own "
                    + "(its node, or its kube-state-metrics shard)")
        }
        return LeaderElector.Settings(
            leaseName: section.leaseName,
            namespace: section.namespace ?? environment["POD_NAMESPACE"] ?? apiServer.namespace ?? "default",
            identity: LeaderElector.Settings.identity(environment: environment),
            leaseDuration: section.leaseDuration, renewDeadline: section.renewDeadline,
            retryPeriod: section.retryPeriod)
    }

    /// The StackState settings with the API key read from `api_key_file`, else `STS_API_KEY`. In
    /// `node` mode only metrics are forwarded: each DaemonSet pod sees one node, and a partial
    /// topology snapshot would make the receiver delete everything else.
    static func resolveStackState(_ configuration: Configuration, environment: [String: String])
        throws(ConfigurationError) -> ForwarderSettings?
    {
        guard let section = configuration.stackState else { return nil }
        var settings = section.forwarder
        var key: String?
        if let file = section.apiKeyFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigurationError.unreadable(
                    file: file, path: "stackstate.api_key_file", expected: "a readable file holding the API key")
            }
            key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            key = environment["STS_API_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let key, !key.isEmpty else {
            throw ConfigurationError(
                path: section.apiKeyFile == nil ? "stackstate" : "stackstate.api_key_file", value: "",
                expected: "an API key: set api_key_file to a file holding it, or STS_API_KEY in the environment")
        }
        settings.endpoint.apiKey = key
        settings.processesInterval = configuration.processes.interval
        if settings.processes == .agentProtocol && !configuration.processes.enabled {
            throw ConfigurationError(
                path: "stackstate.processes", value: "agent-protocol",
                expected: "intake unless processes.enabled is true: without it there are no processes to send")
        }
        if !configuration.mode.watchesCluster {
            // The leader sends processes too: each node agent's report reaches it, and the
            // receiver's credentials stay with the cluster deployment.
            settings.processes = .intake
            settings.topology = false
            settings.health = false
            settings.events = false
        }
        return settings
    }

    /// Where the API server is, in the order of docs/configuration.md.
    static func resolveAPIServer(_ configuration: Configuration, environment: [String: String])
        throws(ConfigurationError) -> APIServerConfig
    {
        if let server = configuration.kubernetes.apiServer {
            return APIServerConfig(server: server, security: configuration.kubernetes.security, source: .configuration)
        }
        if let inCluster = try InClusterConfig.load(environment: environment) { return inCluster }
        let path =
            configuration.kubernetes.kubeconfig
            ?? environment["KUBECONFIG"].flatMap { $0.split(separator: ":").first.map(String.init) }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.kube/config"
        let material = NSTemporaryDirectory() + "stackbridge-kubeconfig-\(getpid())"
        return try Kubeconfig.load(path: path, materialDirectory: material)
    }

    /// The resources watched in this mode: in `node` mode the local node's pods and what owner
    /// chains and placement need; in `shard` mode the nodes, whose zone and region join the series
    /// that name one; otherwise the whole topology.
    var watchedKinds: [(kind: ResourceKind, fieldSelector: String?)] {
        if configuration.mode == .shard { return [(.nodes, nil)] }
        guard configuration.mode == .node else { return ResourceKind.all.map { ($0, nil) } }
        let nodeName = environment["NODE_NAME"]
        return ResourceKind.nodeScoped.map { kind in
            switch kind {
            case .pods: (kind, nodeName.map { "spec.nodeName=\($0)" })
            case .nodes: (kind, nodeName.map { "metadata.name=\($0)" })
            default: (kind, nil)
            }
        }
    }

    /// The reader of the forwarded kube-state-metrics shard's telemetry, when there is one.
    func shardReader() -> KubeStateMetricsShardReader? {
        guard let kubeStateMetricsShard, let url = configuration.scrape.kubeStateMetricsTelemetryURL else {
            return nil
        }
        return KubeStateMetricsShardReader(
            url: url, timeout: min(configuration.scrape.timeout, .seconds(2)), client: HTTPClient(userAgent: userAgent),
            state: kubeStateMetricsShard, logger: logger)
    }

    /// The `User-Agent` of every request the bridge makes.
    var userAgent: String { "stackbridge/\(telemetry.version)" }

    /// Every service, in start order (services stop in reverse): watchers, leader election,
    /// topology, remote-write queues, discovery and scraping, the StackState forwarder, the server.
    public func services(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws
        -> [any ServiceLifecycle.Service]
    {
        // Watches hold their connection for minutes; in the scrape client's per-host limit they
        // would starve scrapes through the apiserver proxy, so they get a client of their own.
        let watchClient = HTTPClient(userAgent: userAgent, maxConnectionsPerHost: 0)
        var services: [any ServiceLifecycle.Service] = watchers(client: watchClient)
        // Before the forwarders, so that it stops after them and releases the lease last.
        if let election {
            services.append(
                LeaderElector(
                    settings: election, config: apiServer, client: watchClient, logger: logger, leadership: leadership))
        }
        services.append(
            TopologyRefresher(
                store: store, resources: watchedKinds.map(\.kind.resource), source: topology, snapshot: snapshot,
                readiness: readiness, telemetry: telemetry,
                metrics: TopologyMetrics(includeRelations: configuration.topologyMetrics.relations),
                interval: configuration.topologyMetrics.interval, logger: logger))
        services.append(MemoryReturner(interval: Bridge.memoryReturnInterval))
        let destinations = try remoteWriteDestinations()
        services.append(contentsOf: destinations.map { $0.queue as any ServiceLifecycle.Service })
        let sink = SnapshotSink(
            snapshot: snapshot, telemetry: telemetry, readiness: readiness, destinations: destinations,
            leadership: leadership, shard: shardReader())
        services.append(contentsOf: scraping(into: sink))
        services.append(contentsOf: stackStateForwarder(watchClient: watchClient) ?? [])
        services.append(contentsOf: processServices())
        services.append(try server(onServerRunning: onServerRunning))
        return services
    }

    /// A watcher per watched kind, into the store.
    func watchers(client: HTTPClient) -> [any ServiceLifecycle.Service] {
        watchedKinds.map { kind, fieldSelector in
            ResourceWatcher(
                kind: kind, config: apiServer, client: client, store: store, logger: logger,
                fieldSelector: fieldSelector, streamingLists: configuration.kubernetes.streamingLists)
        }
    }

    /// A queue per `remote_write` endpoint, each with its spool when configured, sharing one
    /// client of their own: a receiver that hangs must not hold connections or time the scrapes
    /// share.
    func remoteWriteDestinations() throws -> [WriteDestination] {
        let client = HTTPClient(userAgent: userAgent)
        return try configuration.remoteWrite.map { settings in
            let queue = RemoteWriteQueue(
                endpoint: settings.endpoint, config: settings.queue, client: client, userAgent: userAgent,
                logger: logger, spool: try spool(for: settings))
            telemetry.add(queue)
            return WriteDestination(queue: queue, relabeler: Relabeler(settings.writeRelabelConfigs))
        }
    }

    /// The disk spool of a `remote_write` endpoint with `spool_path`; a damaged file is logged.
    func spool(for settings: Configuration.RemoteWrite) throws -> RemoteWriteSpool? {
        guard let path = settings.spoolPath else { return nil }
        let logger = logger
        return try RemoteWriteSpool(
            directory: path, maxDiskBytes: settings.maxDiskBytes ?? 1 << 30,
            onCorrupt: { aside, reason in
                logger.error(
                    "remote write spool was damaged; readable batches salvaged into a fresh one, the file moved aside",
                    metadata: [
                        "remote_write.spool": .string(path), "remote_write.moved_to": .string(aside),
                        "remote_write.reason": .string(reason),
                    ])
            })
    }

    /// Target discovery and the scrape pool, delivering into `sink`. The scrape client runs one
    /// event loop per core, and each scrape loop runs on one of them throughout (ScrapeLoop.run);
    /// bodies in flight, all targets together, stay within `scrape.body_memory_budget`.
    func scraping(into sink: SnapshotSink) -> [any ServiceLifecycle.Service] {
        let client = HTTPClient(
            userAgent: userAgent, threads: ProcessInfo.processInfo.activeProcessorCount,
            bodyBudget: BodyBudget(limit: configuration.scrape.bodyMemoryBudget))
        let (updates, continuation) = AsyncStream<[ScrapeTarget]>.makeStream()
        let discovery = TargetDiscovery(
            configuration: configuration, reloader: reloader, apiServer: apiServer, store: store, client: client,
            sink: sink, telemetry: telemetry, continuation: continuation, environment: environment, logger: logger)
        let store = store
        let enricher = Enricher(
            options: configuration.enrich, clusterName: clusterName,
            pods: { store.placement(ofPod: $0) }, nodes: { store.placement(ofNode: $0) },
            version: { store.joinVersion })
        // The first scrapes wait for the topology at most an interval: static targets and
        // kube-state-metrics URLs are scraped within the first interval whatever the API does.
        let firstScrapeWait = min(Bridge.firstScrapeWait, configuration.scrape.interval)
        let pool = ScrapePool(
            client: client, sink: sink, logger: logger, updates: updates, enricher: enricher,
            startWhen: { [readiness] in
                // A graceful shutdown ends the wait at once rather than after up to 10 s.
                _ = await cancelWhenGracefulShutdown {
                    await readiness.wait(for: Bridge.topologySynced, atMost: firstScrapeWait)
                }
            })
        return [discovery, pool]
    }

    /// The StackState forwarder, and the events watcher that feeds it when events are forwarded.
    func stackStateForwarder(watchClient: HTTPClient) -> [any ServiceLifecycle.Service]? {
        guard let settings = stackState else { return nil }
        var services: [any ServiceLifecycle.Service] = []
        let events = EventQueue()
        if settings.events {
            services.append(
                ResourceWatcher(
                    kind: .events, config: apiServer, client: watchClient, store: store, events: events, logger: logger,
                    streamingLists: configuration.kubernetes.streamingLists)
            )
        }
        let (store, topology, snapshot, leadership) = (store, topology, snapshot, leadership)
        let health = TopologyMetrics()
        let sources = StackStateForwarder.Sources(
            // nil until every resource listed once (TopologySource): a partial snapshot makes the
            // receiver delete what it lacks.
            topology: { topology.topology },
            health: { health.healthByURN(store.snapshot).map { (urn: $0.0, health: $0.1) } },
            series: { snapshot.latestBatches(excluding: ["topology"]) },
            events: { events.drain() }, active: { leadership.isLeader }, activity: leadership.changes,
            processReports: { [latestProcessReports] in latestProcessReports.all })
        let forwarder = StackStateForwarder(
            settings: settings, cluster: clusterName, options: configuration.enrich, sources: sources,
            client: HTTPClient(userAgent: userAgent), userAgent: userAgent,
            logger: logger)
        telemetry.add(forwarder)
        services.append(forwarder)
        return services
    }

    /// With `processes.enabled`: the node collector (node and all mode, where the node's name is
    /// known) and the leader's correlation (cluster and all mode).
    func processServices() -> [any ServiceLifecycle.Service] {
        let settings = configuration.processes
        guard settings.enabled else { return [] }
        var services: [any ServiceLifecycle.Service] = []
        if configuration.mode.scrapesKubelets, let node = environment["NODE_NAME"], !node.isEmpty {
            services.append(
                ProcessCollection(
                    node: node, settings: settings, reports: processReports, telemetry: processTelemetry,
                    logger: logger))
        }
        if configuration.mode.watchesCluster {
            services.append(
                ProcessCorrelation(
                    store: store, client: HTTPClient(userAgent: userAgent), apiServer: apiServer,
                    access: configuration.kubernetes.kubeletAccess, settings: settings, telemetry: processTelemetry,
                    latestReports: latestProcessReports, logger: logger))
        }
        return services
    }

    /// The Hummingbird application serving every endpoint on `server.listen`, with TLS and basic
    /// authentication when `server.web_config_file` asks for them.
    func server(onServerRunning: @escaping @Sendable (Int) async -> Void) throws -> some ServiceLifecycle.Service {
        let (host, port) = (configuration.server.listen.host, configuration.server.listen.port)
        let (telemetry, leadership) = (telemetry, leadership)
        var serverLogger = logger
        serverLogger.logLevel = .warning
        // Idle and slow connections cannot crowd out a scraper (ConnectionGuard).
        let connections = ConnectionGuard(limit: configuration.server.maxConnections)
        let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [connections.handler()])
        var builder = HTTPServerBuilder.http1(configuration: http1)
        var users: [String: String] = [:]
        if let file = configuration.server.webConfigFile {
            let web = try WebConfig.load(file: file)
            users = web.basicAuthUsers
            if let tls = web.tls {
                do {
                    builder = try .tls(.http1(configuration: http1), tlsConfiguration: try tls.serverConfiguration())
                } catch {
                    throw ConfigurationError(
                        file: file, path: "tls_server_config", value: tls.certFile, expected: "\(error)")
                }
            }
        }
        let reloader = reloader
        let reload: (@Sendable () async -> String?)? =
            configuration.server.enableLifecycle
            ? { @Sendable in
                switch reloader.reload(trigger: "HTTP") {
                case .success: nil
                case .failure(let error): "\(error)"
                }
            } : nil
        let router = ExpositionServer.router(
            ExpositionServer.Sources(
                snapshot: snapshot, telemetry: { telemetry.batch() }, topology: topology, readiness: readiness,
                onExposure: { telemetry.recordExposure(format: $0) }, serving: { leadership.isLeader },
                reload: reload,
                processes: configuration.processes.enabled && configuration.mode.scrapesKubelets ? processReports : nil),
            users: users)
        return Application(
            router: router,
            server: builder,
            configuration: .init(
                address: .hostname(host, port: port), serverName: "stackbridge"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: serverLogger
        )
    }

    /// Runs every service until SIGTERM or SIGINT, then shuts down gracefully: services stop in
    /// reverse order (the server first, the remote-write queues spool what they hold), and whatever
    /// has not stopped after 10 s is cancelled.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        // SIGHUP reloads, as it does for Prometheus, instead of ending the process.
        let hangups = ReloadSignal(reloader: reloader)
        var configuration = ServiceGroupConfiguration(
            services: ([hangups] + (try services(onServerRunning: onServerRunning))).map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        try await ServiceGroup(configuration: configuration).run()
    }
}
