import BridgeTestSupport
import PropertyBased
import Testing

@testable import BridgeTopology

/// Random pods in which every optional field is sometimes absent, sometimes empty and sometimes
/// set, with strings that repeat across pods and strings that do not.
struct PodGenerator {
    static let shared = ["", "a", "app", "web", "kube-system", "é日本", "/var/run/secrets", "Running", "ReplicaSet"]

    func pod(_ source: inout some RandomNumberGenerator) -> Pod {
        var random = SplitMix64(seed: source.next())
        var metadata = ObjectMeta(
            name: unique(&random), namespace: maybe(&random) { shared(&$0) }, uid: maybe(&random) { unique(&$0) })
        metadata.resourceVersion = maybe(&random) { String($0.next() % 100_000) }
        metadata.labels = maybe(&random) { random in
            Dictionary((0..<Int.random(in: 0...4, using: &random)).map { _ in (shared(&random), shared(&random)) }) {
                first, _ in first
            }
        }
        metadata.ownerReferences = list(&random) { random in
            var owner = OwnerReference(
                kind: shared(&random), name: shared(&random), uid: maybe(&random) { unique(&$0) },
                controller: maybe(&random) { Bool.random(using: &$0) })
            owner.apiVersion = maybe(&random) { shared(&$0) }
            return owner
        }
        metadata.creationTimestamp = maybe(&random) { shared(&$0) }
        metadata.deletionTimestamp = maybe(&random) { shared(&$0) }
        let spec = maybe(&random) { random in
            Pod.Spec(
                nodeName: maybe(&random) { shared(&$0) },
                serviceAccountName: maybe(&random) { shared(&$0) },
                containers: list(&random) { container(&$0) },
                initContainers: list(&random) { container(&$0) },
                volumes: list(&random) { volume(&$0) }
            )
        }
        let status = maybe(&random) { random in
            Pod.Status(
                phase: maybe(&random) { shared(&$0) },
                podIP: maybe(&random) { unique(&$0) },
                startTime: maybe(&random) { shared(&$0) },
                containerStatuses: list(&random) { random in
                    Pod.ContainerStatus(
                        name: shared(&random),
                        containerID: maybe(&random) { unique(&$0) },
                        image: maybe(&random) { shared(&$0) },
                        imageID: maybe(&random) { shared(&$0) },
                        ready: maybe(&random) { Bool.random(using: &$0) },
                        restartCount: maybe(&random) { Int(truncatingIfNeeded: $0.next()) >> Int.random(in: 0...63) },
                        state: maybe(&random) { random in
                            .init(waiting: maybe(&random) { .init(reason: maybe(&$0) { shared(&$0) }) })
                        }
                    )
                },
                reason: maybe(&random) { shared(&$0) }
            )
        }
        return Pod(metadata: metadata, spec: spec, status: status)
    }

    private func container(_ random: inout SplitMix64) -> Pod.Container {
        let nameRef = { (random: inout SplitMix64) in Pod.NameRef(name: maybe(&random) { shared(&$0) }) }
        return Pod.Container(
            name: shared(&random),
            image: maybe(&random) { shared(&$0) },
            env: list(&random) { random in
                Pod.EnvVar(
                    name: shared(&random),
                    valueFrom: maybe(&random) { random in
                        Pod.EnvVar.ValueFrom(
                            configMapKeyRef: maybe(&random, nameRef), secretKeyRef: maybe(&random, nameRef))
                    }
                )
            },
            envFrom: list(&random) { random in
                Pod.EnvFromSource(configMapRef: maybe(&random, nameRef), secretRef: maybe(&random, nameRef))
            },
            volumeMounts: list(&random) { random in
                Pod.VolumeMount(
                    name: shared(&random),
                    mountPath: maybe(&random) { shared(&$0) },
                    subPath: maybe(&random) { shared(&$0) },
                    readOnly: maybe(&random) { Bool.random(using: &$0) },
                    mountPropagation: maybe(&random) { shared(&$0) }
                )
            }
        )
    }

    private func volume(_ random: inout SplitMix64) -> Volume {
        let named = { (random: inout SplitMix64) in Volume.NamedSource(name: maybe(&random) { shared(&$0) }) }
        return Volume(
            name: shared(&random),
            configMap: maybe(&random, named),
            secret: maybe(&random) { Volume.SecretSource(secretName: maybe(&$0) { shared(&$0) }) },
            persistentVolumeClaim: maybe(&random) { Volume.ClaimSource(claimName: shared(&$0)) },
            emptyDir: maybe(&random) { _ in Volume.Empty() },
            hostPath: maybe(&random) { Volume.PathSource(path: shared(&$0)) },
            nfs: maybe(&random) { Volume.NFSSource(server: shared(&$0), path: shared(&$0)) },
            downwardAPI: maybe(&random) { _ in Volume.Empty() },
            projected: maybe(&random) { random in
                Volume.ProjectedSource(
                    sources: list(&random) { random in
                        Volume.ProjectedSource.Projection(
                            configMap: maybe(&random, named), secret: maybe(&random, named))
                    })
            }
        )
    }

    private func maybe<T>(_ random: inout SplitMix64, _ make: (inout SplitMix64) -> T) -> T? {
        Int.random(in: 0..<3, using: &random) == 0 ? nil : make(&random)
    }

    private func list<T>(_ random: inout SplitMix64, _ make: (inout SplitMix64) -> T) -> [T]? {
        maybe(&random) { random in (0..<Int.random(in: 0...3, using: &random)).map { _ in make(&random) } }
    }

    private func shared(_ random: inout SplitMix64) -> String {
        Self.shared.randomElement(using: &random)!
    }

    /// Strings that rarely repeat, short (inline in Swift) and long (on the heap), with multi-byte text.
    private func unique(_ random: inout SplitMix64) -> String {
        let length = Int.random(in: 0...40, using: &random)
        return String((0..<length).map { _ in "abcdef0123456789-é✓".randomElement(using: &random)! })
    }
}

@Suite struct PodTableTests {
    @Test func everyPodReadsBackAsWritten() async {
        let pods = Generator<[Pod], Shrink.None<[Pod]>> { random in
            (0..<Int.random(in: 1...20, using: &random)).map { _ in PodGenerator().pod(&random) }
        }
        await propertyCheck(count: 300, input: pods) { pods in
            var table = PodTable()
            for (index, pod) in pods.enumerated() { table[ObjectKey("ns", "p\(index)")] = pod }
            for (index, pod) in pods.enumerated() {
                #expect(table[ObjectKey("ns", "p\(index)")] == pod)
            }
            #expect(table.count == pods.count)
            #expect(Set(table.map(\.value)) == Set(pods))
        }
    }

    @Test func aSnapshotKeepsItsPodsWhileTheOriginalChanges() {
        var random = SplitMix64(seed: 7)
        let first = PodGenerator().pod(&random)
        var table = PodTable()
        table[ObjectKey("a", "one")] = first
        let snapshot = table
        var changed = first
        changed.metadata.labels = ["new-key-\(random.next())": "new-value"]
        changed.spec = Pod.Spec(nodeName: "node-that-is-new")
        table[ObjectKey("a", "one")] = changed
        table[ObjectKey("a", "two")] = first
        #expect(snapshot[ObjectKey("a", "one")] == first)
        #expect(snapshot.count == 1)
        #expect(table[ObjectKey("a", "one")] == changed)
        #expect(table[ObjectKey("a", "two")] == first)
    }

    @Test func churnDoesNotGrowTheSharedStringsWithoutBound() {
        var table = PodTable()
        var owners = 0
        // Rolling restarts: every pod replaced by one of a new ReplicaSet, 100 times over.
        for round in 0..<100 {
            for index in 0..<500 {
                var pod = Pod(metadata: ObjectMeta(name: "p\(index)", namespace: "ns", labels: ["hash": "h\(round)"]))
                pod.metadata.ownerReferences = [OwnerReference(kind: "ReplicaSet", name: "rs-\(round)")]
                table[ObjectKey("ns", "p\(index)")] = pod
                owners = round
            }
        }
        // Live pods use five strings (ns, hash, h99, ReplicaSet, rs-99); the rounds wrote 203. The
        // table is rebuilt after 2 x 500 + 4,096 writes, about 10 rounds of 2 new strings each.
        #expect(table.footprint.sharedStrings <= 5 + 2 * 11)
        #expect(table[ObjectKey("ns", "p7")]?.metadata.ownerReferences?.first?.name == "rs-\(owners)")
        #expect(table.count == 500)
    }

    @Test func sortedByKeyWalksInKeyOrder() {
        var table = PodTable()
        for name in ["c", "a", "b"] { table[ObjectKey("ns", name)] = Pod(metadata: ObjectMeta(name: name)) }
        table[ObjectKey("aa", "z")] = Pod(metadata: ObjectMeta(name: "z"))
        #expect(table.sortedByKey().map(\.key.description) == ["aa/z", "ns/a", "ns/b", "ns/c"])
        #expect(table.sortedByKey().map(\.value.metadata.name) == ["z", "a", "b", "c"])
        table[ObjectKey("ns", "b")] = nil
        #expect(!table.contains(ObjectKey("ns", "b")))
        #expect(table.count == 3)
    }
}
