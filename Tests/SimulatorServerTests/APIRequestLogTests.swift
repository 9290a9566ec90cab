import BridgeSimulatorServer
import Testing

/// Requests are counted by the verb and resource RBAC would check them against.
@Suite struct APIRequestLogTests {
    @Test(arguments: [
        ("GET", "/api/v1/pods", false, "list pods"),
        ("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn", true, "watch pods"),
        ("GET", "/api/v1/namespaces", false, "list namespaces"),
        ("GET", "/api/v1/namespaces/kube-system", false, "get namespaces"),
        ("GET", "/api/v1/namespaces/kube-system/endpoints/kube-state-metrics", false, "get endpoints"),
        ("GET", "/api/v1/nodes/node-0/proxy/metrics/cadvisor", false, "get nodes/proxy"),
        ("GET", "/apis/apps/v1/deployments", true, "watch deployments.apps"),
        ("POST", "/apis/coordination.k8s.io/v1/namespaces/sb/leases", false, "create leases.coordination.k8s.io"),
        (
            "PUT", "/apis/coordination.k8s.io/v1/namespaces/sb/leases/stackbridge", false,
            "update leases.coordination.k8s.io"
        ),
        (
            "GET", "/apis/coordination.k8s.io/v1/namespaces/sb/leases/stackbridge", false,
            "get leases.coordination.k8s.io"
        ),
    ])
    func requestsAreClassifiedAsRBACDoes(_ method: String, _ path: String, _ watch: Bool, _ expected: String) throws {
        let key = try #require(APIRequestLog.classify(method: method, path: path, watch: watch))
        #expect("\(key.verb) \(key.resource)" == expected)
    }

    @Test(arguments: [
        "/version", "/api", "/apis", "/api/v1", "/apis/apps/v1", "/ksm/metrics", "/receiver/stsAgent/intake/",
    ])
    func otherPathsAreNotAPIRequests(_ path: String) {
        #expect(APIRequestLog.classify(method: "GET", path: path, watch: false) == nil)
    }
}
