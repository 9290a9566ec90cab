/// A pod volume, with the sources the topology turns into components or relations.
public struct Volume: Codable, Sendable, Hashable {
    /// The volume name, which mounts refer to.
    public var name: String
    /// A config map.
    public var configMap: NamedSource?
    /// A secret (`secretName`).
    public var secret: SecretSource?
    /// A claim.
    public var persistentVolumeClaim: ClaimSource?
    /// Scratch space.
    public var emptyDir: Empty?
    /// A path on the node.
    public var hostPath: PathSource?
    /// An NFS export.
    public var nfs: NFSSource?
    /// Pod fields as files.
    public var downwardAPI: Empty?
    /// Several sources in one directory.
    public var projected: ProjectedSource?

    /// `configMap`.
    public struct NamedSource: Codable, Sendable, Hashable {
        /// The config map's name.
        public var name: String?
    }

    /// `secret`.
    public struct SecretSource: Codable, Sendable, Hashable {
        /// The secret's name.
        public var secretName: String?
    }

    /// `persistentVolumeClaim`.
    public struct ClaimSource: Codable, Sendable, Hashable {
        /// The claim's name.
        public var claimName: String
    }

    /// `hostPath`.
    public struct PathSource: Codable, Sendable, Hashable {
        /// The path on the node.
        public var path: String
    }

    /// `nfs`.
    public struct NFSSource: Codable, Sendable, Hashable {
        /// The NFS server.
        public var server: String
        /// The exported path.
        public var path: String
    }

    /// `projected`.
    public struct ProjectedSource: Codable, Sendable, Hashable {
        /// The projected sources.
        public var sources: [Projection]?

        /// One projection.
        public struct Projection: Codable, Sendable, Hashable {
            /// A config map.
            public var configMap: NamedSource?
            /// A secret (`name`).
            public var secret: NamedSource?
        }
    }

    /// A source with no fields the topology reads (`emptyDir: {}`, `downwardAPI: {...}`).
    public struct Empty: Codable, Sendable, Hashable {}
}
