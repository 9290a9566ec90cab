import BridgeCore

/// Adds to each series the labels of where it lives in the cluster (DESIGN.md, "Enrichment
/// labels"): a series with `namespace` and `pod` gets its pod's node, workload, owner, zone, region,
/// allow-listed pod labels and the cluster; a series with only `node` gets that node's zone, region
/// and the cluster; every other series gets the cluster.
///
/// Placements are looked up once per distinct pod or node in a batch, through `pods` and `nodes`,
/// and the labels they add are interned into the batch once; each series then costs one hash
/// lookup on its (namespace, pod) symbols. A series whose pod is unknown passes through with the
/// cluster label only and is counted; a source label that disagrees with an added one keeps the
/// source's value and is counted, unless ``EnrichmentOptions/overwrite`` is set.
public struct Enricher: Sendable {
    /// Label names and the pod-label allow-list.
    public let options: EnrichmentOptions
    /// The cluster's name.
    public let clusterName: String
    private let pods: @Sendable (ObjectKey) -> PodPlacement?
    private let nodes: @Sendable (String) -> NodePlacement?
    private let version: @Sendable () -> UInt64?

    /// What one batch's enrichment did.
    public struct Outcome: Sendable, Hashable {
        /// Series joined to a known pod.
        public var joinedPods = 0
        /// Series joined to a known node only.
        public var joinedNodes = 0
        /// Series naming a pod (or node) the cluster state does not know.
        public var unknown = 0
        /// Added labels not applied because the series had the label with another value.
        public var conflicts = 0

        /// No series seen yet.
        public init() {}
    }

    /// An enricher that finds pods and nodes through `pods` and `nodes`. `version` gives a number
    /// that changes whenever `pods` or `nodes` may answer differently (``joinVersion``); without
    /// it, every scrape is joined afresh.
    public init(
        options: EnrichmentOptions,
        clusterName: String,
        pods: @escaping @Sendable (ObjectKey) -> PodPlacement?,
        nodes: @escaping @Sendable (String) -> NodePlacement?,
        version: @escaping @Sendable () -> UInt64? = { nil }
    ) {
        self.options = options
        self.clusterName = clusterName
        self.pods = pods
        self.nodes = nodes
        self.version = version
    }

    /// A number that stays the same for as long as every join answers the same, or nil when that
    /// is unknown. A scrape with the same series as the last one, joined at the same version, gets
    /// the same labels, so the scrape processor reuses them instead of joining again.
    public var joinVersion: UInt64? { version() }

    /// An enricher over a fixed cluster state.
    public init(options: EnrichmentOptions, state: ClusterState) {
        self.init(
            options: options, clusterName: state.clusterName,
            pods: { key in state.pods[key].map(state.placement(of:)) },
            nodes: { state.placement(ofNode: $0) },
            version: { 0 }
        )
    }

    private struct PodKey: Hashable {
        let namespace: Symbol
        let pod: Symbol
    }

    /// Enriches every series of `batch`.
    @discardableResult
    public func apply(to batch: inout MetricBatch) -> Outcome {
        var outcome = Outcome()
        let namespaceName = batch.symbols.intern("namespace")
        let podName = batch.symbols.intern("pod")
        let nodeName = batch.symbols.intern(options.nodeLabel)
        let cluster = [
            Label(name: batch.symbols.intern(options.clusterLabel), value: batch.symbols.intern(clusterName))
        ]
        var podLabels: [PodKey: [Label]?] = [:]
        var nodeLabels: [Symbol: [Label]?] = [:]
        // Node, workload kind and name, owner kind and name, zone, region, cluster, pod labels.
        batch.rewriteLabels(adding: 8 + options.podLabels.count) { working, symbols in
            var namespace: Symbol?
            var pod: Symbol?
            var node: Symbol?
            for label in working {
                if label.name == namespaceName {
                    namespace = label.value
                } else if label.name == podName {
                    pod = label.value
                } else if label.name == nodeName {
                    node = label.value
                }
            }
            var added = cluster
            var joined = false
            if let namespace, let pod, pod != .empty {
                let key = PodKey(namespace: namespace, pod: pod)
                if podLabels[key] == nil {
                    podLabels[key] = podPlacementLabels(
                        ObjectKey(symbols.string(namespace), symbols.string(pod)), &symbols)
                }
                if let labels = podLabels[key] ?? nil {
                    added = labels
                    joined = true
                    outcome.joinedPods += 1
                } else {
                    outcome.unknown += 1
                }
            }
            // A series of an unknown pod still gets its node's place when it names the node.
            if !joined, let node, node != .empty {
                if nodeLabels[node] == nil {
                    nodeLabels[node] = nodePlacementLabels(symbols.string(node), &symbols)
                }
                if let labels = nodeLabels[node] ?? nil {
                    added = labels
                    if pod == nil { outcome.joinedNodes += 1 }
                } else if pod == nil {
                    outcome.unknown += 1
                }
            }
            merge(added, into: &working, conflicts: &outcome.conflicts)
        }
        return outcome
    }

    private func merge(_ added: [Label], into labels: inout [Label], conflicts: inout Int) {
        for label in added {
            if let index = labels.firstIndex(where: { $0.name == label.name }) {
                guard labels[index].value != label.value else { continue }
                conflicts += 1
                if options.overwrite { labels[index].value = label.value }
            } else {
                labels.append(label)
            }
        }
    }

    private func podPlacementLabels(_ key: ObjectKey, _ symbols: inout SymbolTable) -> [Label]? {
        guard let placement = pods(key) else { return nil }
        var pairs: [(String, String?)] = [
            (options.nodeLabel, placement.node),
            (options.workloadKindLabel, placement.workloadKind),
            (options.workloadLabel, placement.workloadName),
            (options.ownerKindLabel, placement.owner?.kind),
            (options.ownerLabel, placement.owner?.name),
            (options.zoneLabel, placement.nodePlacement?.zone),
            (options.regionLabel, placement.nodePlacement?.region),
            (options.clusterLabel, clusterName),
        ]
        for name in options.podLabels {
            pairs.append((EnrichmentOptions.sanitisedLabelName(name), placement.labels[name]))
        }
        return Self.labels(pairs, &symbols)
    }

    private func nodePlacementLabels(_ name: String, _ symbols: inout SymbolTable) -> [Label]? {
        guard let placement = nodes(name) else { return nil }
        return Self.labels(
            [
                (options.zoneLabel, placement.zone), (options.regionLabel, placement.region),
                (options.clusterLabel, clusterName),
            ], &symbols)
    }

    /// The pairs with a non-empty value, interned; an empty label value means "no label" in
    /// Prometheus, so it is never added.
    private static func labels(_ pairs: [(String, String?)], _ symbols: inout SymbolTable) -> [Label] {
        pairs.compactMap { name, value in
            guard let value, !value.isEmpty else { return nil }
            return Label(name: symbols.intern(name), value: symbols.intern(value))
        }
    }
}
