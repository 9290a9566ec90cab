import BridgeTopology

/// The tags StackState binds metrics to components with (reference/stackstate-receiver.md §4c,
/// §4d): every enriched label becomes `name:value`, and the topology labels also appear under the
/// names the StackState agent's Kubernetes checks use — `cluster_name`, `namespace`, `pod_name`,
/// `container`, `deployment`, … each with its `kube_` twin — so the component's metric bindings
/// (`cluster_name="${tags.cluster-name}", namespace=…, <kind>="${name}"`) find them.
///
/// Every series carries `cluster_name` and `kube_cluster_name` of the bridge's cluster, as the
/// agent appends them to every check's metrics (§4d), whether or not the series has a cluster label:
/// the synthetic per-target series (`up`, `scrape_duration_seconds`, …) and static targets' series
/// have none. A source's own cluster label with another value stays a plain tag under its name.
public struct SeriesTagging: Sendable {
    /// Tag names for a workload or owner kind: the plain name bindings filter on, and the agent's
    /// `kube_` variant.
    static let kindTags: [String: (plain: String, kube: String)] = [
        "Deployment": ("deployment", "kube_deployment"), "ReplicaSet": ("replicaset", "kube_replica_set"),
        "DaemonSet": ("daemonset", "kube_daemon_set"), "StatefulSet": ("statefulset", "kube_stateful_set"),
        "Job": ("job_name", "kube_job"), "CronJob": ("cronjob", "kube_cronjob"),
    ]

    private let renames: [String: [String]]
    private let pairs: [(kind: String, name: String)]
    private let clusterLabel: String
    private let clusterTags: [String]

    /// Tagging for `cluster`'s series, enriched with `options`' label names.
    public init(options: EnrichmentOptions, cluster: String) {
        clusterLabel = options.clusterLabel
        clusterTags = ["cluster_name:\(cluster)", "kube_cluster_name:\(cluster)"]
        renames = [
            "namespace": ["namespace", "kube_namespace"],
            "pod": ["pod_name", "pod"], "container": ["container", "kube_container_name"],
            options.nodeLabel: ["node", "kube_node"],
        ]
        pairs = [
            (options.workloadKindLabel, options.workloadLabel), (options.ownerKindLabel, options.ownerLabel),
        ]
    }

    /// The tags of a series with `labels` (`__name__` left out), sorted and without repeats.
    public func tags(_ labels: [(name: String, value: String)]) -> [String] {
        var tags = Set(clusterTags)
        var byName: [String: String] = [:]
        for (name, value) in labels where name != "__name__" && !value.isEmpty {
            byName[name] = value
            if name == clusterLabel {
                if "cluster_name:\(value)" != clusterTags[0] { tags.insert("\(name):\(value)") }
            } else if let names = renames[name] {
                for renamed in names { tags.insert("\(renamed):\(value)") }
            } else {
                tags.insert("\(name):\(value)")
            }
        }
        for (kindLabel, nameLabel) in pairs {
            if let kind = byName[kindLabel], let name = byName[nameLabel], let tagNames = Self.kindTags[kind] {
                tags.insert("\(tagNames.plain):\(name)")
                tags.insert("\(tagNames.kube):\(name)")
            }
        }
        return tags.sorted()
    }
}
