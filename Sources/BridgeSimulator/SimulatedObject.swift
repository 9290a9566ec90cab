import BridgeTopology
import Foundation

/// One object of the simulated cluster as the Kubernetes API serves it.
public struct SimulatedObject: Sendable {
    /// The resource it is listed under (`pods`, `deployments.apps`).
    public let resource: String
    /// `apiVersion`.
    public let apiVersion: String
    /// `kind`.
    public let kind: String
    /// The namespace, for namespaced kinds.
    public let namespace: String?
    /// The name.
    public let name: String
    /// The whole object, `kind` and `apiVersion` included.
    public let json: JSONValue

    /// The object as JSON bytes.
    public func encoded() -> [UInt8] {
        // Encoding strings, integers and booleans cannot fail.
        Array((try? JSONEncoder().encode(json)) ?? Data())
    }

    /// The object decoded into the topology's model.
    public func decoded() throws -> KubernetesObject {
        try JSONDecoder().decode(KubernetesObject.self, from: Data(encoded()))
    }
}
