/// Shares one copy of each repeated string among the objects of a cluster.
///
/// Decoding gives every object its own copy of strings that repeat across thousands of pods: label
/// keys, namespaces, images, mount paths, owner kinds. Swift strings longer than 15 bytes live on the
/// heap, so 150,000 pods carry millions of duplicate allocations. Interning keeps one instance of
/// each and lets the duplicates go. Strings of up to 15 bytes are stored inline and skipped.
public struct StringInterner: Sendable {
    private var strings: Set<String> = []

    /// An empty interner.
    public init() {}

    /// How many distinct strings are held.
    public var count: Int { strings.count }

    /// The shared instance equal to `string`.
    public mutating func intern(_ string: String) -> String {
        if string.utf8.count <= 15 { return string }
        return strings.insert(string).memberAfterInsert
    }

    /// `string` interned, when present.
    public mutating func intern(_ string: String?) -> String? {
        string.map { intern($0) }
    }

    /// Keys and values interned.
    public mutating func intern(_ labels: [String: String]?) -> [String: String]? {
        guard let labels else { return nil }
        var result: [String: String] = [:]
        result.reserveCapacity(labels.count)
        for (key, value) in labels { result[intern(key)] = intern(value) }
        return result
    }
}

extension ObjectMeta {
    /// The metadata with its repeated strings shared; the resource version is dropped, since the
    /// watcher tracks versions itself.
    public func interned(_ interner: inout StringInterner) -> ObjectMeta {
        var copy = self
        copy.name = interner.intern(name)
        copy.namespace = interner.intern(namespace)
        copy.resourceVersion = nil
        copy.labels = interner.intern(labels)
        copy.creationTimestamp = interner.intern(creationTimestamp)
        copy.ownerReferences = ownerReferences?.map { reference in
            var owner = reference
            owner.apiVersion = interner.intern(reference.apiVersion)
            owner.kind = interner.intern(reference.kind)
            owner.name = interner.intern(reference.name)
            owner.uid = interner.intern(reference.uid)
            return owner
        }
        return copy
    }
}

extension Pod {
    /// The pod with its repeated strings shared.
    public func interned(_ interner: inout StringInterner) -> Pod {
        var copy = self
        copy.metadata = metadata.interned(&interner)
        copy.spec?.nodeName = interner.intern(spec?.nodeName)
        copy.spec?.serviceAccountName = interner.intern(spec?.serviceAccountName)
        copy.spec?.containers = spec?.containers?.map { $0.interned(&interner) }
        copy.spec?.initContainers = spec?.initContainers?.map { $0.interned(&interner) }
        copy.spec?.volumes = spec?.volumes?.map { volume in
            var shared = volume
            shared.name = interner.intern(volume.name)
            shared.configMap?.name = interner.intern(volume.configMap?.name)
            shared.secret?.secretName = interner.intern(volume.secret?.secretName)
            shared.projected?.sources = volume.projected?.sources?.map { source in
                var projection = source
                projection.configMap?.name = interner.intern(source.configMap?.name)
                projection.secret?.name = interner.intern(source.secret?.name)
                return projection
            }
            return shared
        }
        copy.status?.phase = interner.intern(status?.phase)
        copy.status?.startTime = interner.intern(status?.startTime)
        copy.status?.containerStatuses = status?.containerStatuses?.map { status in
            var shared = status
            shared.name = interner.intern(status.name)
            shared.image = interner.intern(status.image)
            shared.imageID = interner.intern(status.imageID)
            return shared
        }
        return copy
    }
}

extension Pod.Container {
    fileprivate func interned(_ interner: inout StringInterner) -> Pod.Container {
        var copy = self
        copy.name = interner.intern(name)
        copy.image = interner.intern(image)
        copy.volumeMounts = volumeMounts?.map { mount in
            var shared = mount
            shared.name = interner.intern(mount.name)
            shared.mountPath = interner.intern(mount.mountPath)
            return shared
        }
        return copy
    }
}
