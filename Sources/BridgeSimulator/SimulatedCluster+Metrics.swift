import BridgeTopology
import Foundation

extension SimulatedCluster {
    /// Which objects one kube-state-metrics instance exposes.
    public enum KubeStateMetricsScope: Sendable, Hashable {
        /// Every object: one unsharded instance.
        case all
        /// The objects of one shard, by UID (``KubeStateMetricsShard``), of every resource.
        case shard(KubeStateMetricsShard)
        /// The pods on one node, and nothing else: `--resources=pods --node=<name>`, kube-state-metrics'
        /// DaemonSet sharding (reference/large-clusters.md §1.3).
        case node(String)

        /// Whether an object of this scope: `uid`, on `node` for a pod (nil for other resources).
        func includes(uid: String?, pod node: String?) -> Bool {
            switch self {
            case .all: true
            case .shard(let shard): shard.keeps(uid: uid ?? "")
            case .node(let name): node == name
            }
        }
    }

    /// kube-state-metrics' `/metrics` for the cluster (families and labels of KSM 2.x, see
    /// reference/prometheus-side.md §4.4), consistent with the objects: same names, UIDs, nodes,
    /// container ids; of the objects in `scope`.
    public func kubeStateMetrics(_ scope: KubeStateMetricsScope = .all) -> String {
        var lines: [String] = []
        func family(_ name: String, _ help: String, _ type: String = "gauge", _ body: () -> Void) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            body()
        }
        let nodes = state.nodes.values.filter { scope.includes(uid: $0.metadata.uid, pod: nil) }.sorted {
            $0.metadata.name < $1.metadata.name
        }
        let pods = state.pods.values.filter { scope.includes(uid: $0.metadata.uid, pod: $0.spec?.nodeName ?? "") }
            .sorted {
                ($0.metadata.namespace ?? "", $0.metadata.name) < ($1.metadata.namespace ?? "", $1.metadata.name)
            }
        let replicaSets = state.replicaSets.filter { scope.includes(uid: $0.value.metadata.uid, pod: nil) }
        let deployments = state.deployments.filter { scope.includes(uid: $0.value.metadata.uid, pod: nil) }
        family("kube_node_info", "Information about a cluster node.") {
            for node in nodes {
                lines.append(
                    #"kube_node_info{node="\#(node.metadata.name)",internal_ip="\#(node.address("InternalIP") ?? "")",provider_id="\#(node.spec?.providerID ?? "")",kubelet_version="v1.29.4",container_runtime_version="containerd://1.7.13"} 1"#
                )
            }
        }
        family("kube_pod_info", "Information about pod.") {
            for pod in pods {
                let owner = pod.metadata.controller
                lines.append(
                    #"kube_pod_info{namespace="\#(pod.metadata.namespace ?? "")",pod="\#(pod.metadata.name)",uid="\#(pod.metadata.uid ?? "")",host_ip="",pod_ip="\#(pod.status?.podIP ?? "")",node="\#(pod.spec?.nodeName ?? "")",created_by_kind="\#(owner?.kind ?? "<none>")",created_by_name="\#(owner?.name ?? "<none>")",priority_class="",host_network="false"} 1"#
                )
            }
        }
        family("kube_pod_owner", "Information about the Pod's owner.") {
            for pod in pods {
                let owner = pod.metadata.controller
                lines.append(
                    #"kube_pod_owner{namespace="\#(pod.metadata.namespace ?? "")",pod="\#(pod.metadata.name)",uid="\#(pod.metadata.uid ?? "")",owner_kind="\#(owner?.kind ?? "<none>")",owner_name="\#(owner?.name ?? "<none>")",owner_is_controller="\#(owner == nil ? "<none>" : "true")"} 1"#
                )
            }
        }
        family("kube_pod_status_phase", "The pods current phase.") {
            for pod in pods {
                for phase in ["Pending", "Succeeded", "Failed", "Unknown", "Running"] {
                    let value = pod.status?.phase == phase ? 1 : 0
                    lines.append(
                        #"kube_pod_status_phase{namespace="\#(pod.metadata.namespace ?? "")",pod="\#(pod.metadata.name)",uid="\#(pod.metadata.uid ?? "")",phase="\#(phase)"} \#(value)"#
                    )
                }
            }
        }
        family("kube_pod_container_info", "Information about a container in a pod.") {
            for pod in pods {
                for status in pod.status?.containerStatuses ?? [] {
                    lines.append(
                        #"kube_pod_container_info{namespace="\#(pod.metadata.namespace ?? "")",pod="\#(pod.metadata.name)",uid="\#(pod.metadata.uid ?? "")",container="\#(status.name)",image_spec="\#(status.image ?? "")",image="\#(status.image ?? "")",image_id="\#(status.imageID ?? "")",container_id="\#(status.containerID ?? "")"} 1"#
                    )
                }
            }
        }
        family("kube_replicaset_owner", "Information about the ReplicaSet's owner.") {
            for (key, set) in replicaSets.sorted(by: { $0.key < $1.key }) {
                let owner = set.metadata.controller
                lines.append(
                    #"kube_replicaset_owner{namespace="\#(key.namespace)",replicaset="\#(key.name)",owner_kind="\#(owner?.kind ?? "<none>")",owner_name="\#(owner?.name ?? "<none>")",owner_is_controller="true"} 1"#
                )
            }
        }
        family("kube_deployment_spec_replicas", "Number of desired pods for a deployment.") {
            for (key, deployment) in deployments.sorted(by: { $0.key < $1.key }) {
                lines.append(
                    #"kube_deployment_spec_replicas{namespace="\#(key.namespace)",deployment="\#(key.name)"} \#(deployment.spec?.replicas ?? 0)"#
                )
            }
        }
        family("kube_deployment_status_replicas_ready", "The number of ready replicas per deployment.") {
            for (key, deployment) in deployments.sorted(by: { $0.key < $1.key }) {
                lines.append(
                    #"kube_deployment_status_replicas_ready{namespace="\#(key.namespace)",deployment="\#(key.name)"} \#(deployment.status?.readyReplicas ?? 0)"#
                )
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The kubelet's `/metrics/cadvisor` for `node`: per-container and per-pod series of the pods
    /// running there, with cAdvisor's explicit millisecond timestamps, plus machine series.
    public func cadvisor(node: String, timestamp: Int64 = 1_763_700_000_000) -> String {
        var lines = [
            "# HELP machine_cpu_cores Number of logical CPU cores.", "# TYPE machine_cpu_cores gauge",
            #"machine_cpu_cores{boot_id="b",machine_id="m",system_uuid="u"} 4"#,
        ]
        let pods = pods(on: node).filter { $0.status?.phase == "Running" }
        let families: [(String, String, String)] = [
            ("container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed in seconds."),
            ("container_memory_working_set_bytes", "gauge", "Current working set in bytes."),
        ]
        for (index, (name, type, help)) in families.enumerated() {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for pod in pods {
                let namespace = pod.metadata.namespace ?? ""
                let podID =
                    "kubepods-burstable-pod\((pod.metadata.uid ?? "").replacingOccurrences(of: "-", with: "_")).slice"
                for status in pod.status?.containerStatuses ?? [] {
                    let runtime = status.containerID?.split(separator: "/").last.map(String.init) ?? ""
                    let value =
                        index == 0
                        ? "\(Double(runtime.utf8.reduce(0) { ($0 + Int($1)) % 9973 }) / 7)"
                        : "\(runtime.utf8.count * 1_048_576)"
                    var labels = #"container="\#(status.name)","#
                    if name == "container_cpu_usage_seconds_total" { labels += #"cpu="total","# }
                    labels +=
                        #"id="/kubepods.slice/\#(podID)/cri-containerd-\#(runtime).scope",image="\#(status.image ?? "")",name="\#(runtime)",namespace="\#(namespace)",pod="\#(pod.metadata.name)""#
                    lines.append("\(name){\(labels)} \(value) \(timestamp)")
                }
            }
        }
        lines.append("# HELP container_network_receive_bytes_total Cumulative count of bytes received")
        lines.append("# TYPE container_network_receive_bytes_total counter")
        for pod in pods {
            lines.append(
                #"container_network_receive_bytes_total{container="",interface="eth0",namespace="\#(pod.metadata.namespace ?? "")",pod="\#(pod.metadata.name)"} \#(pod.metadata.name.utf8.count * 1000) \#(timestamp)"#
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
