extension TopologyBuilder {
    /// Persistent volumes and the storage behind them, claims (`exposes` to their volume), and
    /// volume attachments (node `exposes` the volume attached to it).
    mutating func addStorage() {
        for volume in state.persistentVolumes.values.sorted(by: { $0.metadata.name < $1.metadata.name }) {
            let volumeURN = urns.persistentVolume(volume.metadata.name)
            add(.persistentVolume, volume.metadata)
            if let source = volumeSource(volume) {
                components.append(
                    Component(
                        externalId: source.urn,
                        type: .volumeSource,
                        name: source.name,
                        tags: tags(nil, type: .volumeSource).merging(["kind": source.kind]) { $1 }
                    )
                )
                relate(.exposes, volumeURN, source.urn)
            }
        }
        for (key, claim) in state.persistentVolumeClaims.sorted(by: { $0.key < $1.key }) {
            add(.persistentVolumeClaim, claim.metadata)
            if let bound = claim.spec?.volumeName {
                relate(.exposes, urn(.persistentVolumeClaim, key.namespace, key.name), urns.persistentVolume(bound))
            }
        }
        for attachment in state.volumeAttachments.values.sorted(by: { $0.metadata.name < $1.metadata.name }) {
            guard let volume = attachment.spec.source.persistentVolumeName else { continue }
            relate(.exposes, urns.node(attachment.spec.nodeName), urns.persistentVolume(volume))
        }
    }

    private func volumeSource(_ volume: PersistentVolume) -> (urn: String, name: String, kind: String)? {
        if let csi = volume.spec?.csi {
            return (urns.externalVolume("csi", csi.driver, csi.volumeHandle), csi.volumeHandle, "csi")
        }
        if let nfs = volume.spec?.nfs {
            return (urns.externalVolume("nfs", nfs.server, nfs.path), "\(nfs.server):\(nfs.path)", "nfs")
        }
        if let hostPath = volume.spec?.hostPath {
            return (
                urns.externalVolume("hostpath", String(hostPath.path.drop { $0 == "/" })), hostPath.path, "hostpath"
            )
        }
        return nil
    }
}
