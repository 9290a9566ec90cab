extension TopologyBuilder {
    /// Controller kinds whose pods get a `controls` relation from the controller.
    static let podControllers: Set<String> = ["DaemonSet", "ReplicaSet", "StatefulSet", "Job"]

    /// Pods and their containers, with scheduling, ownership, configuration and volume relations.
    mutating func addPods() {
        for (key, pod) in state.pods.sortedByKey() {
            let podURN = urn(.pod, key.namespace, key.name)
            var properties: [String: String] = [:]
            properties["podPhase"] = pod.status?.phase
            properties["podIP"] = pod.status?.podIP
            properties["startTime"] = pod.status?.startTime
            var extraTags: [String: String] = [:]
            extraTags["service-account"] = pod.spec?.serviceAccountName
            add(.pod, pod.metadata, properties: properties, extraTags: extraTags)
            let node = pod.spec?.nodeName
            if let node { relate(.scheduledOn, podURN, urns.node(node)) }
            addOwnership(of: pod, key: key, podURN: podURN)
            let volumeTargets = addVolumes(of: pod, key: key, podURN: podURN)
            for container in pod.spec?.containers ?? [] {
                addContainer(container, of: pod, key: key, podURN: podURN, node: node, volumeTargets: volumeTargets)
            }
        }
    }

    private mutating func addOwnership(of pod: Pod, key: ObjectKey, podURN: String) {
        guard let owner = pod.metadata.controller else {
            relate(.encloses, urns.namespace(key.namespace), podURN)
            return
        }
        guard Self.podControllers.contains(owner.kind) else { return }
        // The agent drops the Job → pod link once the pod has finished.
        if owner.kind == "Job", let phase = pod.status?.phase, phase == "Succeeded" || phase == "Failed" { return }
        relate(.controls, urns.component(owner.kind.lowercased(), namespace: key.namespace, name: owner.name), podURN)
    }

    private mutating func addContainer(
        _ container: Pod.Container,
        of pod: Pod,
        key: ObjectKey,
        podURN: String,
        node: String?,
        volumeTargets: [String: String]
    ) {
        let containerURN = urns.container(namespace: key.namespace, pod: key.name, name: container.name)
        let status = pod.status?.containerStatuses?.first { $0.name == container.name }
        var identifiers: [String] = []
        var properties: [String: String] = ["pod": key.name]
        properties["image"] = status?.image ?? container.image
        properties["imageId"] = status?.imageID
        properties["restartCount"] = status?.restartCount.map(String.init)
        if let id = status?.containerID, let runtimeID = id.split(separator: "/").last {
            properties["containerId"] = String(runtimeID)
            if let node { identifiers.append("urn:container:/\(node)-\(state.clusterName):\(runtimeID)") }
        }
        components.append(
            Component(
                externalId: containerURN,
                type: .container,
                name: container.name,
                tags: tags(pod.metadata, type: .container),
                identifiers: identifiers,
                properties: properties
            )
        )
        relate(.encloses, podURN, containerURN)
        if let node { relate(.runsOn, containerURN, urns.node(node)) }
        for variable in container.env ?? [] {
            if let name = variable.valueFrom?.configMapKeyRef?.name {
                relate(.usesValue, podURN, urn(.configmap, key.namespace, name))
            }
            if let name = variable.valueFrom?.secretKeyRef?.name {
                relate(.usesValue, podURN, urn(.secret, key.namespace, name))
            }
        }
        for source in container.envFrom ?? [] {
            if let name = source.configMapRef?.name { relate(.uses, podURN, urn(.configmap, key.namespace, name)) }
            if let name = source.secretRef?.name { relate(.uses, podURN, urn(.secret, key.namespace, name)) }
        }
        for mount in container.volumeMounts ?? [] {
            guard let target = volumeTargets[mount.name] else { continue }
            var data = ["name": mount.name, "readOnly": String(mount.readOnly ?? false)]
            data["mountPath"] = mount.mountPath
            data["subPath"] = mount.subPath
            data["mountPropagation"] = mount.mountPropagation
            relate(.mounts, containerURN, target, properties: data)
        }
    }
}
