extension TopologyBuilder {
    /// The pod's volumes: `claims` relations to config maps, secrets, claims and volume components.
    /// Returns, per volume name, what a container mounting it mounts (the pod itself for the
    /// downward API).
    mutating func addVolumes(of pod: Pod, key: ObjectKey, podURN: String) -> [String: String] {
        var targets: [String: String] = [:]
        for volume in pod.spec?.volumes ?? [] {
            let target: String
            if volume.downwardAPI != nil {
                targets[volume.name] = podURN
                continue
            } else if let name = volume.configMap?.name {
                target = urn(.configmap, key.namespace, name)
            } else if let name = volume.secret?.secretName {
                target = urn(.secret, key.namespace, name)
            } else if let claim = volume.persistentVolumeClaim {
                target = urn(.persistentVolumeClaim, key.namespace, claim.claimName)
            } else if let hostPath = volume.hostPath {
                // A host path means something only on a node: skipped until the pod is scheduled.
                guard let node = pod.spec?.nodeName else { continue }
                target = urns.externalVolume("hostpath", node, String(hostPath.path.drop { $0 == "/" }))
                addVolumeComponent(
                    volume, target, namespace: key.namespace,
                    tags: ["kind": "hostpath", "nodename": node, "path": hostPath.path])
            } else if let nfs = volume.nfs {
                target = urns.externalVolume("nfs", nfs.server, nfs.path)
                addVolumeComponent(
                    volume, target, namespace: key.namespace,
                    tags: ["kind": "nfs", "server": nfs.server, "path": nfs.path])
            } else if let projected = volume.projected {
                target = urns.externalVolume("projected", volume.name)
                addVolumeComponent(volume, target, namespace: key.namespace, tags: ["kind": "projection"])
                for source in projected.sources ?? [] {
                    if let name = source.configMap?.name {
                        relate(.projects, target, urn(.configmap, key.namespace, name))
                    }
                    if let name = source.secret?.name { relate(.projects, target, urn(.secret, key.namespace, name)) }
                }
            } else {
                // emptyDir, and a volume without a source, which Kubernetes treats as emptyDir.
                target = urns.emptyDir(namespace: key.namespace, pod: key.name, volume: volume.name)
                addVolumeComponent(volume, target, namespace: key.namespace, tags: ["kind": "empty-dir"])
            }
            relate(.claims, podURN, target)
            targets[volume.name] = target
        }
        return targets
    }

    private mutating func addVolumeComponent(
        _ volume: Volume, _ urn: String, namespace: String, tags extra: [String: String]
    ) {
        var componentTags = tags(nil, type: .volume, namespace: namespace)
        componentTags.merge(extra) { $1 }
        components.append(Component(externalId: urn, type: .volume, name: volume.name, tags: componentTags))
    }
}
