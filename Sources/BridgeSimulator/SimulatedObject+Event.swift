extension SimulatedObject {
    /// An `events.k8s.io/v1` Event about `regarding`, as a controller or the kubelet records it.
    static func event(
        name: String,
        uid: String,
        regarding: SimulatedObject,
        reason: String,
        note: String,
        type: String = "Normal",
        controller: String,
        time: String
    ) -> SimulatedObject {
        let reference = JSONValue.object(
            [
                ("apiVersion", .string(regarding.apiVersion)), ("kind", .string(regarding.kind)),
                ("name", .string(regarding.name)),
            ] + (regarding.namespace.map { [("namespace", JSONValue.string($0))] } ?? [])
                + (regarding.json["metadata"]?["uid"].map { [("uid", $0)] } ?? [])
        )
        let namespace = regarding.namespace ?? "default"
        let json = JSONValue.object([
            ("apiVersion", "events.k8s.io/v1"), ("kind", "Event"),
            (
                "metadata",
                .object([
                    ("name", .string(name)), ("namespace", .string(namespace)), ("uid", .string(uid)),
                    ("resourceVersion", "1"), ("creationTimestamp", .string(time)),
                ])
            ),
            ("eventTime", .string(time)), ("regarding", reference), ("reason", .string(reason)),
            ("note", .string(note)), ("type", .string(type)), ("action", .string(reason)),
            ("reportingController", .string(controller)), ("reportingInstance", .string(controller)),
        ])
        return SimulatedObject(
            resource: "events.events.k8s.io", apiVersion: "events.k8s.io/v1", kind: "Event", namespace: namespace,
            name: name, json: json)
    }
}

extension SimulatedCluster.Builder {
    /// Records an event about the last object added (events aside), at the cluster's creation time.
    mutating func addEventAboutLast(reason: String, note: String, type: String = "Normal", controller: String) {
        guard let regarding = objects.last(where: { $0.kind != "Event" }) else { return }
        let name = "\(regarding.name).\(hex(16))"
        objects.append(
            .event(
                name: name, uid: uid(), regarding: regarding, reason: reason, note: note, type: type,
                controller: controller, time: "2026-11-01T00:00:00Z"))
    }
}
