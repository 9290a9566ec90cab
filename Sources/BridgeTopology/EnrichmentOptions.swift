/// What the enricher adds to series and under which names (DESIGN.md, "Enrichment labels";
/// configuration keys under `enrich:`).
public struct EnrichmentOptions: Sendable, Hashable {
    /// The label carrying the cluster name (`enrich.cluster_label`, default `cluster`).
    public var clusterLabel = "cluster"
    /// The node the pod runs on.
    public var nodeLabel = "node"
    /// Kind of the top of the owner chain (`Deployment`, `StatefulSet`, …).
    public var workloadKindLabel = "workload_kind"
    /// Name of the top of the owner chain.
    public var workloadLabel = "workload"
    /// Kind of the direct controller.
    public var ownerKindLabel = "owner_kind"
    /// Name of the direct controller.
    public var ownerLabel = "owner"
    /// The node's `topology.kubernetes.io/zone`.
    public var zoneLabel = "zone"
    /// The node's `topology.kubernetes.io/region`.
    public var regionLabel = "region"
    /// Pod labels copied as `label_<sanitised>` (`enrich.pod_labels`).
    public var podLabels: [String] = []
    /// Whether an added label replaces a source label of the same name with a different value
    /// (`enrich.overwrite`); by default the source's value stays and the conflict is counted.
    public var overwrite = false

    /// The defaults of the configuration contract.
    public init() {}

    /// `label_` and the pod label's name with every character outside `[a-zA-Z0-9_]` replaced by
    /// `_`, as kube-state-metrics names its `label_*` labels.
    public static func sanitisedLabelName(_ podLabel: String) -> String {
        "label_"
            + String(
                podLabel.unicodeScalars.map { scalar in
                    scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
                        ? Character(scalar) : "_"
                })
    }
}
