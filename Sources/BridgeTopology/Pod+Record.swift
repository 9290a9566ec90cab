/// A pod as a compact record: strings that repeat across pods (namespaces, labels, images, owners,
/// mounts, nodes) are shared numbers, strings unique to the pod are bytes, and the nesting is a
/// flat sequence of integers. One allocation per pod instead of one per array, dictionary and long
/// string; see docs/kubernetes.md, "Memory and sync time".
extension Pod {
    /// Appends the pod to `writer`.
    func write(to writer: inout RecordWriter) {
        metadata.write(to: &writer)
        writer.optional(spec) { writer, spec in
            writer.symbol(spec.nodeName)
            writer.symbol(spec.serviceAccountName)
            writer.array(spec.containers) { $1.write(to: &$0) }
            writer.array(spec.initContainers) { $1.write(to: &$0) }
            writer.array(spec.volumes) { $1.write(to: &$0) }
        }
        writer.optional(status) { writer, status in
            writer.symbol(status.phase)
            writer.text(status.podIP)
            writer.symbol(status.startTime)
            writer.array(status.containerStatuses) { $1.write(to: &$0) }
            writer.symbol(status.reason)
        }
    }

    /// Reads a pod that ``write(to:)`` appended.
    init(record reader: inout RecordReader) {
        metadata = ObjectMeta(record: &reader)
        spec = reader.optional { reader in
            Spec(
                nodeName: reader.optionalSymbol(),
                serviceAccountName: reader.optionalSymbol(),
                containers: reader.array(Container.init(record:)),
                initContainers: reader.array(Container.init(record:)),
                volumes: reader.array(Volume.init(record:))
            )
        }
        status = reader.optional { reader in
            Status(
                phase: reader.optionalSymbol(),
                podIP: reader.optionalText(),
                startTime: reader.optionalSymbol(),
                containerStatuses: reader.array(ContainerStatus.init(record:)),
                reason: reader.optionalSymbol()
            )
        }
    }
}

extension ObjectMeta {
    func write(to writer: inout RecordWriter) {
        writer.text(name)
        writer.symbol(namespace)
        writer.text(uid)
        writer.text(resourceVersion)
        writer.labels(labels)
        writer.array(ownerReferences) { writer, owner in
            writer.symbol(owner.apiVersion)
            writer.symbol(owner.kind)
            writer.symbol(owner.name)
            writer.symbol(owner.uid)
            writer.flag(owner.controller)
        }
        // Pods of one rollout share their timestamps to the second.
        writer.symbol(creationTimestamp)
        writer.symbol(deletionTimestamp)
    }

    init(record reader: inout RecordReader) {
        self.init(name: reader.text(), namespace: reader.optionalSymbol(), uid: reader.optionalText())
        resourceVersion = reader.optionalText()
        labels = reader.labels()
        ownerReferences = reader.array { reader in
            let apiVersion = reader.optionalSymbol()
            var owner = OwnerReference(
                kind: reader.symbol(), name: reader.symbol(), uid: reader.optionalSymbol(), controller: reader.flag())
            owner.apiVersion = apiVersion
            return owner
        }
        creationTimestamp = reader.optionalSymbol()
        deletionTimestamp = reader.optionalSymbol()
    }
}

extension Pod.Container {
    func write(to writer: inout RecordWriter) {
        writer.symbol(name)
        writer.symbol(image)
        writer.array(env) { writer, variable in
            writer.symbol(variable.name)
            writer.optional(variable.valueFrom) { writer, source in
                writer.optional(source.configMapKeyRef) { $0.symbol($1.name) }
                writer.optional(source.secretKeyRef) { $0.symbol($1.name) }
            }
        }
        writer.array(envFrom) { writer, source in
            writer.optional(source.configMapRef) { $0.symbol($1.name) }
            writer.optional(source.secretRef) { $0.symbol($1.name) }
        }
        writer.array(volumeMounts) { writer, mount in
            writer.symbol(mount.name)
            writer.symbol(mount.mountPath)
            writer.symbol(mount.subPath)
            writer.flag(mount.readOnly)
            writer.symbol(mount.mountPropagation)
        }
    }

    init(record reader: inout RecordReader) {
        let nameRef = { (reader: inout RecordReader) in Pod.NameRef(name: reader.optionalSymbol()) }
        self.init(
            name: reader.symbol(),
            image: reader.optionalSymbol(),
            env: reader.array { reader in
                Pod.EnvVar(
                    name: reader.symbol(),
                    valueFrom: reader.optional { reader in
                        Pod.EnvVar.ValueFrom(
                            configMapKeyRef: reader.optional(nameRef), secretKeyRef: reader.optional(nameRef))
                    }
                )
            },
            envFrom: reader.array { reader in
                Pod.EnvFromSource(configMapRef: reader.optional(nameRef), secretRef: reader.optional(nameRef))
            },
            volumeMounts: reader.array { reader in
                Pod.VolumeMount(
                    name: reader.symbol(),
                    mountPath: reader.optionalSymbol(),
                    subPath: reader.optionalSymbol(),
                    readOnly: reader.flag(),
                    mountPropagation: reader.optionalSymbol()
                )
            }
        )
    }
}

extension Pod.ContainerStatus {
    func write(to writer: inout RecordWriter) {
        writer.symbol(name)
        writer.text(containerID)
        writer.symbol(image)
        writer.symbol(imageID)
        writer.flag(ready)
        writer.int(restartCount)
        writer.optional(state) { writer, state in
            writer.optional(state.waiting) { $0.symbol($1.reason) }
        }
    }

    init(record reader: inout RecordReader) {
        self.init(
            name: reader.symbol(),
            containerID: reader.optionalText(),
            image: reader.optionalSymbol(),
            imageID: reader.optionalSymbol(),
            ready: reader.flag(),
            restartCount: reader.int(),
            state: reader.optional { reader in
                State(waiting: reader.optional { State.Waiting(reason: $0.optionalSymbol()) })
            }
        )
    }
}

extension Volume {
    func write(to writer: inout RecordWriter) {
        writer.symbol(name)
        writer.optional(configMap) { $0.symbol($1.name) }
        writer.optional(secret) { $0.symbol($1.secretName) }
        writer.optional(persistentVolumeClaim) { $0.symbol($1.claimName) }
        writer.optional(emptyDir) { _, _ in }
        writer.optional(hostPath) { $0.symbol($1.path) }
        writer.optional(nfs) { writer, nfs in
            writer.symbol(nfs.server)
            writer.symbol(nfs.path)
        }
        writer.optional(downwardAPI) { _, _ in }
        writer.optional(projected) { writer, projected in
            writer.array(projected.sources) { writer, source in
                writer.optional(source.configMap) { $0.symbol($1.name) }
                writer.optional(source.secret) { $0.symbol($1.name) }
            }
        }
    }

    init(record reader: inout RecordReader) {
        let named = { (reader: inout RecordReader) in NamedSource(name: reader.optionalSymbol()) }
        self.init(
            name: reader.symbol(),
            configMap: reader.optional(named),
            secret: reader.optional { SecretSource(secretName: $0.optionalSymbol()) },
            persistentVolumeClaim: reader.optional { ClaimSource(claimName: $0.symbol()) },
            emptyDir: reader.optional { _ in Empty() },
            hostPath: reader.optional { PathSource(path: $0.symbol()) },
            nfs: reader.optional { NFSSource(server: $0.symbol(), path: $0.symbol()) },
            downwardAPI: reader.optional { _ in Empty() },
            projected: reader.optional { reader in
                ProjectedSource(
                    sources: reader.array { reader in
                        ProjectedSource.Projection(configMap: reader.optional(named), secret: reader.optional(named))
                    })
            }
        )
    }
}
