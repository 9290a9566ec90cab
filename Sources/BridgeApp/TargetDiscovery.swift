import BridgeCore
import BridgeHTTP
import BridgeKubernetes
import BridgeScrape
import Logging
import ServiceLifecycle

/// Works out the scrape targets from the configuration and the cluster state — a kubelet target
/// per node and endpoint (only the local node in `node` mode), kube-state-metrics by URL or by
/// Service endpoints, and the static targets — and passes each new set to the scrape pool.
struct TargetDiscovery: ServiceLifecycle.Service {
    /// The configuration at start: mode and Kubernetes access, which a reload does not change.
    let configuration: Configuration
    /// The running `scrape:` section, which a reload replaces.
    let reloader: ConfigurationReloader
    let apiServer: APIServerConfig
    let store: ClusterStore
    let client: HTTPClient
    let sink: SnapshotSink
    let telemetry: Telemetry
    let continuation: AsyncStream<[ScrapeTarget]>.Continuation
    let environment: [String: String]
    let logger: Logger
    /// How often the target set is recomputed.
    var period: Duration = .seconds(10)
    /// One discovery warning per reason a minute.
    private let lines = LogThrottle(interval: .seconds(60))

    func run() async throws {
        var last: [ScrapeTarget]?
        defer { continuation.finish() }
        // Static targets and kube-state-metrics URLs need no API server: they are scraped at once.
        // Kubelet targets come from the node list, and join the target set when it is in. Readiness
        // waits for the first set that has them, or for the first set at all once the first scrapes
        // stopped waiting for the topology (Bridge.firstScrapeWait).
        let nodesWait = ContinuousClock.now + Bridge.firstScrapeWait
        // Until a first target set is known, retries start quick and back off to the period, so
        // a Service that does not resolve is not asked for five times a second.
        var quickRetry = Duration.milliseconds(200)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let targets = await currentTargets()
            if targets != last && !(targets.isEmpty && last == nil) {
                telemetry.recordTargets(targets.count)
                continuation.yield(targets)
                last = targets
            }
            // The first complete set, which readiness waits for (only the first one counts). A
            // leader that only builds the topology (kube-state-metrics read elsewhere, as in large
            // clusters) has none, and nothing to wait for.
            if let last, nodesKnown || ContinuousClock.now >= nodesWait { sink.expect(last) }
            if last == nil && scrapesNothing { sink.expectNothing() }
            // Quick retries until the nodes are known, then the regular period; a graceful shutdown
            // ends the wait (the loop condition then stops the service).
            // Until the nodes are known, quick retries, so kubelets are scraped soon after.
            let wait = last == nil || !nodesKnown ? quickRetry : period
            quickRetry = min(quickRetry * 2, period)
            // A reload ends the wait, so its targets apply within a quarter second.
            let generation = reloader.generation
            let deadline = ContinuousClock.now + wait
            try? await cancelWhenGracefulShutdown {
                while ContinuousClock.now < deadline && reloader.generation == generation {
                    try await Task.sleep(for: min(.milliseconds(250), deadline - ContinuousClock.now))
                }
            }
        }
    }

    /// Whether this configuration has no target at all: `cluster` mode without kube-state-metrics
    /// or static targets.
    private var scrapesNothing: Bool {
        let scrape = reloader.scrape
        return !configuration.mode.scrapesKubelets && scrape.kubeStateMetricsURLs.isEmpty
            && scrape.kubeStateMetricsService == nil && scrape.staticTargets.isEmpty
    }

    /// Whether kubelet targets can be worked out: the node list is in, or no kubelet is scraped.
    private var nodesKnown: Bool {
        !configuration.mode.scrapesKubelets || store.hasSettled([ResourceKind.nodes.resource])
    }

    private func template(job: String, relabel: [RelabelConfig]) -> ScrapeTarget {
        var target = ScrapeTarget(job: job, url: "")
        let scrape = reloader.scrape
        target.interval = scrape.interval
        target.timeout = scrape.timeout
        target.metricRelabelConfigs = relabel
        return target
    }

    func currentTargets() async -> [ScrapeTarget] {
        var targets: [ScrapeTarget] = []
        let scrape = reloader.scrape
        if configuration.mode.scrapesKubelets {
            var nodes = store.snapshot.nodes.values.map {
                NodeAddress(name: $0.metadata.name, internalIP: $0.address("InternalIP") ?? "")
            }.sorted { $0.name < $1.name }
            if configuration.mode == .node, let scope = NodeScope.localNode(environment: environment) {
                nodes = scope.select(nodes)
            }
            let access: KubeletAccess =
                configuration.kubernetes.kubeletAccess == .proxy
                ? .proxy(apiServer: apiServer.server, security: apiServer.security)
                : .direct(port: 10250, security: kubeletSecurity)
            var kubelet = template(job: "kubelet", relabel: scrape.kubeletRelabelConfigs)
            kubelet.apply(scrape.kubeletLimits)
            targets += KubeletTargets.make(nodes: nodes, access: access, template: kubelet)
        }
        if configuration.mode == .node, let url = scrape.kubeStateMetricsNodeLocalURL {
            // The node's own pods' kube-state-metrics series: 90 % of its volume at scale, kept on
            // the node that has the pods to join them to (reference/large-clusters.md §1.3).
            var ksm = template(job: "kube-state-metrics", relabel: scrape.kubeStateMetricsRelabelConfigs)
            ksm.apply(scrape.kubeStateMetricsLimits)
            targets += KubeStateMetricsTargets.make(urls: [url], template: ksm)
        }
        if configuration.mode != .node {
            var ksm = template(job: "kube-state-metrics", relabel: scrape.kubeStateMetricsRelabelConfigs)
            ksm.apply(scrape.kubeStateMetricsLimits)
            var urls = scrape.kubeStateMetricsURLs
            if let service = scrape.kubeStateMetricsService {
                let parts = service.split(separator: "/").map(String.init)
                do {
                    urls += try await KubeStateMetricsTargets.discover(
                        namespace: parts[0], service: parts[1], apiServer: apiServer.server,
                        security: apiServer.security, client: client)
                } catch {
                    if let suppressed = lines.admit("ksm \((error as? HTTPError)?.kind.rawValue ?? "other")") {
                        logger.warning(
                            "kube-state-metrics discovery failed",
                            metadata: [
                                "ksm.service": .string(service), "ksm.error": .string("\(error)"),
                                "ksm.suppressed": .stringConvertible(suppressed),
                            ])
                    }
                }
            }
            var found = KubeStateMetricsTargets.make(urls: urls, template: ksm)
            if configuration.mode == .shard {
                // One shard, scraped on localhost: its own series name the pod (the shard) as the
                // instance, the objects' series nothing that moves with them.
                for index in found.indices {
                    found[index].isShard = true
                    if let pod = environment["POD_NAME"], !pod.isEmpty { found[index].instance = pod }
                }
            }
            targets += found
        }
        for entry in scrape.staticTargets {
            var target = template(job: entry.job, relabel: entry.metricRelabelConfigs)
            target = ScrapeTarget(
                job: entry.job, url: entry.url, instance: entry.instance, seriesLabels: entry.labels,
                security: entry.security, interval: entry.interval ?? target.interval,
                timeout: entry.timeout ?? target.timeout, honorTimestamps: entry.honorTimestamps,
                metricRelabelConfigs: entry.metricRelabelConfigs)
            target.apply(entry.limits)
            targets.append(target)
        }
        return targets
    }

    /// Direct kubelet access uses the service account's token and CA from the API server
    /// configuration unless `kubernetes:` names its own.
    private var kubeletSecurity: EndpointSecurity {
        var security = apiServer.security
        security.serverName = nil
        return security
    }
}

extension TargetDiscovery: CustomStringConvertible {
    /// The name service lifecycle logs use; the configuration and environment (credentials, API
    /// keys) must not be printed with it.
    var description: String { "TargetDiscovery" }
}
