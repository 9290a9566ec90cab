/// A core/v1 PersistentVolume.
public struct PersistentVolume: Codable, Sendable, Hashable {
    /// Metadata.
    public var metadata: ObjectMeta
    /// The storage behind it.
    public var spec: Spec?

    /// `spec` (the volume sources the topology names).
    public struct Spec: Codable, Sendable, Hashable {
        /// A path on a node.
        public var hostPath: Volume.PathSource?
        /// An NFS export.
        public var nfs: Volume.NFSSource?
        /// A CSI volume.
        public var csi: CSI?
    }

    /// `csi`.
    public struct CSI: Codable, Sendable, Hashable {
        /// The driver.
        public var driver: String
        /// The driver's handle for the volume.
        public var volumeHandle: String
    }
}

/// A core/v1 PersistentVolumeClaim.
public struct PersistentVolumeClaim: Codable, Sendable, Hashable {
    /// Metadata.
    public var metadata: ObjectMeta
    /// The bound volume.
    public var spec: Spec?

    /// `spec`.
    public struct Spec: Codable, Sendable, Hashable {
        /// The bound PersistentVolume's name.
        public var volumeName: String?
    }
}

/// A storage.k8s.io/v1 VolumeAttachment: a persistent volume attached to a node.
public struct VolumeAttachment: Codable, Sendable, Hashable {
    /// Metadata.
    public var metadata: ObjectMeta
    /// What is attached where.
    public var spec: Spec

    /// `spec`.
    public struct Spec: Codable, Sendable, Hashable {
        /// The node.
        public var nodeName: String
        /// The source.
        public var source: Source

        /// `source`.
        public struct Source: Codable, Sendable, Hashable {
            /// The persistent volume's name.
            public var persistentVolumeName: String?
        }
    }
}
