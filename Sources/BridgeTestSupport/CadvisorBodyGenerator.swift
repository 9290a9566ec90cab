import BridgeCore

/// Generates kubelet `/metrics/cadvisor` bodies with the shape real ones have: long `id`, `image`
/// (with digest) and `name` labels, several families per container, explicit millisecond timestamps,
/// integer and fractional values. Deterministic for a given seed, so benchmarks compare like with like.
public struct CadvisorBodyGenerator: Sendable {
    /// Pods on the node.
    public var pods: Int
    /// Containers per pod.
    public var containersPerPod: Int
    /// Seed for names, digests and values.
    public var seed: UInt64

    /// Creates a generator.
    public init(pods: Int, containersPerPod: Int = 2, seed: UInt64 = 1) {
        self.pods = pods
        self.containersPerPod = containersPerPod
        self.seed = seed
    }

    /// A generator with enough pods for at least `series` series.
    public init(atLeastSeries series: Int, seed: UInt64 = 1) {
        let perPod = 2 * Self.familiesPerContainer.count
        self.init(pods: (series + perPod - 1) / perPod, containersPerPod: 2, seed: seed)
    }

    /// Families each container exposes: name, type, help, extra label.
    static let familiesPerContainer: [(String, String, String, (String, [String])?)] = [
        (
            "container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed in seconds.",
            ("cpu", ["total"])
        ),
        ("container_cpu_user_seconds_total", "counter", "Cumulative user cpu time consumed in seconds.", nil),
        ("container_cpu_system_seconds_total", "counter", "Cumulative system cpu time consumed in seconds.", nil),
        ("container_memory_working_set_bytes", "gauge", "Current working set in bytes.", nil),
        ("container_memory_rss", "gauge", "Size of RSS in bytes.", nil),
        ("container_memory_cache", "gauge", "Number of bytes of page cache memory.", nil),
        (
            "container_fs_reads_bytes_total", "counter", "Cumulative count of bytes read",
            ("device", ["/dev/sda", "/dev/sdb"])
        ),
        (
            "container_fs_writes_bytes_total", "counter", "Cumulative count of bytes written",
            ("device", ["/dev/sda", "/dev/sdb"])
        ),
        (
            "container_network_receive_bytes_total", "counter", "Cumulative count of bytes received",
            ("interface", ["eth0"])
        ),
        (
            "container_network_transmit_bytes_total", "counter", "Cumulative count of bytes transmitted",
            ("interface", ["eth0"])
        ),
        ("container_last_seen", "gauge", "Last time a container was seen by the exporter", nil),
        ("container_start_time_seconds", "gauge", "Start time of the container since unix epoch in seconds.", nil),
    ]

    /// The exposition text (format 0.0.4).
    public func body() -> [UInt8] {
        var random = SplitMix64(seed: seed)
        var output: [UInt8] = []
        output.reserveCapacity(pods * containersPerPod * Self.familiesPerContainer.count * 420)
        let containers = (0..<pods).flatMap { pod in
            (0..<containersPerPod).map { index in Container(pod: pod, index: index, random: &random) }
        }
        let timestamp = 1_763_700_000_000 + Int64(random.next() % 1_000_000)
        for (name, type, help, extra) in Self.familiesPerContainer {
            output.append(contentsOf: "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n".utf8)
            for container in containers {
                for extraValue in extra?.1 ?? [""] {
                    var line = name + "{container=\"\(container.name)\""
                    if let extra { line += ",\(extra.0)=\"\(extraValue)\"" }
                    line += ",id=\"\(container.cgroup)\",image=\"\(container.image)\",name=\"\(container.runtimeID)\""
                    line += ",namespace=\"\(container.namespace)\",pod=\"\(container.podName)\"} "
                    line += Self.value(for: name, random: &random) + " \(timestamp)\n"
                    output.append(contentsOf: line.utf8)
                }
            }
        }
        return output
    }

    private static func value(for name: String, random: inout SplitMix64) -> String {
        if name.hasSuffix("_seconds_total") {
            return String(Double(random.next() % 100_000_000) / 1_000_000)
        }
        if name == "container_last_seen" || name == "container_start_time_seconds" {
            return String(1_763_000_000 + random.next() % 700_000)
        }
        return String(random.next() % 4_000_000_000)
    }

    private struct Container {
        let name: String
        let podName: String
        let namespace: String
        let cgroup: String
        let image: String
        let runtimeID: String

        init(pod: Int, index: Int, random: inout SplitMix64) {
            let namespaces = ["default", "kube-system", "monitoring", "payments", "checkout", "search"]
            let apps = ["api", "worker", "frontend", "redis", "nginx", "fluent-bit", "coredns"]
            let app = apps[pod % apps.count]
            namespace = namespaces[pod % namespaces.count]
            podName = "\(app)-\(Self.hex(&random, 10))-\(Self.hex(&random, 5))"
            name = index == 0 ? app : "sidecar-\(index)"
            runtimeID = Self.hex(&random, 64)
            let podUID =
                "\(Self.hex(&random, 8))_\(Self.hex(&random, 4))_\(Self.hex(&random, 4))_\(Self.hex(&random, 12))"
            cgroup =
                "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(podUID).slice/cri-containerd-\(runtimeID).scope"
            image = "registry.example.com/team/\(app)@sha256:\(Self.hex(&random, 64))"
        }

        static func hex(_ random: inout SplitMix64, _ count: Int) -> String {
            let digits = Array("0123456789abcdef")
            return String((0..<count).map { _ in digits[Int(random.next() % 16)] })
        }
    }
}

/// A small, fast, seedable generator (Steele, Lea, Flood 2014) for deterministic fixtures.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
