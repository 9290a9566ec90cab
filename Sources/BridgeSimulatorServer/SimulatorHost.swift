import BridgeSimulator
import Foundation

/// Owns the simulated API while the server runs: handlers read it, churn changes it.
public actor SimulatorHost {
    private(set) var api: SimulatorAPI
    private var leases = LeaseStore()
    /// The cluster as built, which the kubelet and kube-state-metrics bodies describe.
    public let cluster: SimulatedCluster
    /// The Kubernetes API requests answered so far, by verb and resource.
    public let requests = APIRequestLog()
    /// How often the API server "restarted"; watches opened before a restart end with it.
    private(set) var generation = 0
    /// Whether watches with `sendInitialEvents=true` are served (Kubernetes' WatchList feature,
    /// beta since 1.32); without it they are refused with 422 as a server with the gate off does.
    public let offersStreamingLists: Bool

    /// Serves `cluster`, with streaming lists unless `streamingLists` is false.
    public init(cluster: SimulatedCluster, streamingLists: Bool = true) {
        self.cluster = cluster
        api = SimulatorAPI(cluster: cluster)
        offersStreamingLists = streamingLists
    }

    func list(
        _ resource: String,
        namespace: String?,
        nodeName: String?,
        limit: Int?,
        continueToken: String?
    ) throws(SimulatorAPI.Failure) -> SimulatorAPI.ListPage {
        try api.list(resource, namespace: namespace, nodeName: nodeName, limit: limit, continueToken: continueToken)
    }

    func get(_ resource: String, namespace: String?, name: String) -> SimulatedObject? {
        api.get(resource, namespace: namespace, name: name)
    }

    /// The changes to `resource` after `version`, and the version they run through: the server's
    /// current one, read in the same step, so a watcher resuming from it misses nothing that
    /// happened meanwhile.
    func events(_ resource: String, after version: Int, namespace: String?, nodeName: String?)
        throws(SimulatorAPI.Failure) -> (events: [SimulatorAPI.Event], through: Int)
    {
        (try api.events(resource, after: version, namespace: namespace, nodeName: nodeName), api.resourceVersion)
    }

    var resourceVersion: Int { api.resourceVersion }

    /// A lease request (`PUT` with a name, `POST` without, else `GET`): status and JSON body.
    func lease(method: String, namespace: String, name: String?, body: Data) -> (status: Int, body: Data) {
        let answer: LeaseStore.Answer
        switch (method, name) {
        case ("POST", _): answer = leases.create(namespace: namespace, body: body)
        case ("PUT", let name?): answer = leases.replace(namespace: namespace, name: name, body: body)
        case (_, let name?): answer = leases.get(namespace: namespace, name: name)
        default: answer = LeaseStore.Answer(status: 405, body: ["kind": "Status", "code": 405])
        }
        return (
            answer.status, (try? JSONSerialization.data(withJSONObject: answer.body, options: [.sortedKeys])) ?? Data()
        )
    }

    /// Restarts as an API server with its history reset (``SimulatorAPI/resetHistory(unseenChurn:at:)``):
    /// open watches end, as their connections would.
    func restart(unseenChurn: Int) {
        generation += 1
        api.resetHistory(unseenChurn: unseenChurn, at: Date().formatted(.iso8601))
    }

    /// The replicas of the simulated auto-sharded kube-state-metrics StatefulSet
    /// (`/ksm/statefulset/<ordinal>/…`): each serves the shard of its ordinal among this many.
    private(set) var kubeStateMetricsReplicas = 2

    /// Scales the kube-state-metrics StatefulSet to `replicas` (at least 1).
    func scaleKubeStateMetrics(to replicas: Int) {
        kubeStateMetricsReplicas = max(1, replicas)
    }

    /// One churn step, its events stamped with the current time.
    func churn() { api.churn(at: Date().formatted(.iso8601)) }

    /// Churn steps a second: `--churn`, changed by `POST /sim/churn?rate=N`.
    private(set) var churnRate = 0.0

    /// Sets the churn rate (0 stops it).
    func setChurn(perSecond rate: Double) { churnRate = max(0, rate) }

    /// Churns `perSecond` times a second (or at the rate set since) until cancelled.
    public func churn(perSecond: Double) async {
        churnRate = max(0, perSecond)
        while !Task.isCancelled {
            // At rate 0, look again every 100 ms for a new rate.
            let pause = churnRate > 0 ? Duration.microseconds(Int64(1_000_000 / churnRate)) : .milliseconds(100)
            try? await Task.sleep(for: pause)
            if churnRate > 0 { churn() }
        }
    }
}
