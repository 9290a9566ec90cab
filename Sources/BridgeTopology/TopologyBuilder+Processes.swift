extension TopologyBuilder {
    /// The processes the node collectors reported and the leader correlated (``ProcessGraph``):
    /// `process` components, container → process `runs`, and client → server
    /// `directional_connection` relations with the process agent's data (`outgoing.ip`,
    /// `incoming.ip`, `incoming.port`) and `via` (reference/process-connections.md §1.3, §1.4, §5).
    mutating func addProcesses() {
        let graph = state.processes
        for (key, process) in graph.processes.sorted(by: { $0.key < $1.key }) {
            let urn = urns.process(key)
            let namespace = process.container?.pod.namespace
            var properties = [
                "pid": String(key.pid), "createTime": String(key.createTime), "host": urns.host(key.node),
                "command.exe": process.exe, "command.args": process.args.joined(separator: "\0"),
            ]
            if let container = process.container {
                properties["pod"] = container.pod.name
                properties["container"] = container.name
            }
            components.append(
                Component(
                    externalId: urn, type: .process, name: Self.processName(process),
                    tags: tags(nil, type: .process, namespace: namespace), properties: properties))
            if let container = process.container {
                relate(
                    .runs,
                    urns.container(namespace: container.pod.namespace, pod: container.pod.name, name: container.name),
                    urn)
            }
        }
        for connection in graph.connections {
            relate(
                .directionalConnection, urns.process(connection.client), urns.process(connection.server),
                properties: [
                    Relation.portProperty: String(connection.port), "via": connection.path.via,
                    "outgoing.ip": connection.clientIP, "incoming.ip": connection.serverIP,
                    "incoming.port": String(connection.port),
                ])
        }
    }

    /// A process's display name: its executable's file name, else the first word of its command.
    static func processName(_ process: ProcessEntry) -> String {
        let path = process.exe.isEmpty ? (process.args.first ?? "") : process.exe
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.isEmpty ? "pid \(process.key.pid)" : name
    }
}
