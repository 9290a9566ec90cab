/// StackState's health states, worst last.
public enum HealthState: String, Sendable, Codable, Comparable, CaseIterable {
    /// All good.
    case clear = "CLEAR"
    /// Degraded or not yet there.
    case deviating = "DEVIATING"
    /// Down.
    case critical = "CRITICAL"

    /// Orders by severity.
    public static func < (lhs: HealthState, rhs: HealthState) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A health state and why.
public struct Health: Sendable, Hashable, Codable {
    /// The state.
    public var state: HealthState
    /// Why, in words an operator reads on the component.
    public var reason: String

    /// Creates a health.
    public init(_ state: HealthState, _ reason: String) {
        self.state = state
        self.reason = reason
    }
}

/// Health rules for nodes, workloads and pods.
public struct HealthRules: Sendable {
    /// Restarts of one container from which a running pod is deviating.
    public var restartThreshold: Int

    /// Creates the rules; 5 restarts make a pod deviating by default.
    public init(restartThreshold: Int = 5) {
        self.restartThreshold = restartThreshold
    }

    /// The cluster is clear when every control-plane component reports Healthy, critical when one
    /// does not; nil when the API server lists none (ComponentStatus is deprecated and may be empty).
    public func health(ofControlPlane statuses: [String: ComponentStatus]) -> Health? {
        guard !statuses.isEmpty else { return nil }
        let unhealthy = statuses.filter { !$0.value.isHealthy }.keys.sorted()
        if unhealthy.isEmpty {
            return Health(.clear, "control plane healthy: " + statuses.keys.sorted().joined(separator: ", "))
        }
        return Health(.critical, "control plane components not healthy: " + unhealthy.joined(separator: ", "))
    }

    /// A node is clear when Ready is True, critical when it is False or Unknown.
    public func health(of node: Node) -> Health {
        guard let ready = node.status?.conditions?.first(where: { $0.type == "Ready" }) else {
            return Health(.deviating, "node reports no Ready condition")
        }
        if ready.status == "True" { return Health(.clear, "node is Ready") }
        let why = [ready.reason, ready.message].compactMap { $0 }.joined(separator: ": ")
        return Health(.critical, "node is not Ready (\(ready.status))" + (why.isEmpty ? "" : ": \(why)"))
    }

    /// A workload is clear with all desired replicas ready, deviating with some, critical with none.
    public func health(of workload: Workload) -> Health {
        let desired = workload.spec?.replicas ?? workload.status?.desiredNumberScheduled ?? 0
        let ready = workload.status?.readyReplicas ?? workload.status?.numberReady ?? 0
        let summary = "\(ready) of \(desired) replicas ready"
        if desired == 0 || ready >= desired { return Health(.clear, summary) }
        return Health(ready == 0 ? .critical : .deviating, summary)
    }

    /// A pod is critical when it failed or a container crash-loops, deviating while pending, when a
    /// container is not ready or restarted often, clear otherwise.
    public func health(of pod: Pod) -> Health {
        let phase = pod.status?.phase ?? "Unknown"
        let statuses = pod.status?.containerStatuses ?? []
        if phase == "Failed" {
            return Health(.critical, "pod failed" + (pod.status?.reason.map { ": \($0)" } ?? ""))
        }
        if phase == "Succeeded" { return Health(.clear, "pod completed") }
        for status in statuses {
            if let waiting = status.state?.waiting?.reason,
                ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError"].contains(waiting)
            {
                return Health(.critical, "container \(status.name) is waiting: \(waiting)")
            }
        }
        if phase == "Pending" { return Health(.deviating, "pod is pending") }
        if phase != "Running" { return Health(.deviating, "pod phase is \(phase)") }
        if let restarting = statuses.first(where: { ($0.restartCount ?? 0) >= restartThreshold }) {
            return Health(.deviating, "container \(restarting.name) restarted \(restarting.restartCount ?? 0) times")
        }
        let notReady = statuses.filter { $0.ready != true }.map(\.name)
        if !notReady.isEmpty { return Health(.deviating, "containers not ready: \(notReady.joined(separator: ", "))") }
        return Health(.clear, "pod is running")
    }
}
