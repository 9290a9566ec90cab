/// Any object the topology knows, decoded by its `kind` (as in a List or a watch event).
public enum KubernetesObject: Decodable, Sendable, Hashable {
    /// A Node.
    case node(Node)
    /// A Namespace.
    case namespace(Namespace)
    /// A Pod.
    case pod(Pod)
    /// A Service.
    case service(Service)
    /// A Deployment.
    case deployment(Workload)
    /// A ReplicaSet.
    case replicaSet(Workload)
    /// A DaemonSet.
    case daemonSet(Workload)
    /// A StatefulSet.
    case statefulSet(Workload)
    /// A Job.
    case job(Job)
    /// A CronJob.
    case cronJob(CronJob)
    /// A ConfigMap (metadata only).
    case configMap(MetadataObject)
    /// A Secret (metadata only).
    case secret(MetadataObject)
    /// An Ingress.
    case ingress(Ingress)
    /// A PersistentVolume.
    case persistentVolume(PersistentVolume)
    /// A PersistentVolumeClaim.
    case persistentVolumeClaim(PersistentVolumeClaim)
    /// A VolumeAttachment.
    case volumeAttachment(VolumeAttachment)
    /// An Event (`events.k8s.io/v1`); events are forwarded, not kept in the cluster state.
    case event(KubernetesEvent)
    /// An EndpointSlice.
    case endpointSlice(EndpointSlice)
    /// A ComponentStatus.
    case componentStatus(ComponentStatus)

    private enum Keys: String, CodingKey { case kind }

    /// The kinds this type decodes.
    public static let kinds: Set<String> = [
        "Node", "Namespace", "Pod", "Service", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job",
        "CronJob", "ConfigMap", "Secret", "Ingress", "PersistentVolume", "PersistentVolumeClaim",
        "VolumeAttachment", "Event", "EndpointSlice", "ComponentStatus",
    ]

    /// Decodes the object named by its `kind` field.
    public init(from decoder: any Decoder) throws {
        let kind = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .kind)
        switch kind {
        case "Node": self = .node(try Node(from: decoder))
        case "Namespace": self = .namespace(try Namespace(from: decoder))
        case "Pod": self = .pod(try Pod(from: decoder))
        case "Service": self = .service(try Service(from: decoder))
        case "Deployment": self = .deployment(try Workload(from: decoder))
        case "ReplicaSet": self = .replicaSet(try Workload(from: decoder))
        case "DaemonSet": self = .daemonSet(try Workload(from: decoder))
        case "StatefulSet": self = .statefulSet(try Workload(from: decoder))
        case "Job": self = .job(try Job(from: decoder))
        case "CronJob": self = .cronJob(try CronJob(from: decoder))
        case "ConfigMap": self = .configMap(try MetadataObject(from: decoder))
        case "Secret": self = .secret(try MetadataObject(from: decoder))
        case "Ingress": self = .ingress(try Ingress(from: decoder))
        case "PersistentVolume": self = .persistentVolume(try PersistentVolume(from: decoder))
        case "PersistentVolumeClaim": self = .persistentVolumeClaim(try PersistentVolumeClaim(from: decoder))
        case "VolumeAttachment": self = .volumeAttachment(try VolumeAttachment(from: decoder))
        case "Event": self = .event(try KubernetesEvent(from: decoder))
        case "EndpointSlice": self = .endpointSlice(try EndpointSlice(from: decoder))
        case "ComponentStatus": self = .componentStatus(try ComponentStatus(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: Keys.kind,
                in: try decoder.container(keyedBy: Keys.self),
                debugDescription: "unsupported kind \(kind)"
            )
        }
    }

    /// The object's metadata.
    public var metadata: ObjectMeta {
        switch self {
        case .node(let object): object.metadata
        case .namespace(let object): object.metadata
        case .pod(let object): object.metadata
        case .service(let object): object.metadata
        case .deployment(let object), .replicaSet(let object), .daemonSet(let object), .statefulSet(let object):
            object.metadata
        case .job(let object): object.metadata
        case .cronJob(let object): object.metadata
        case .configMap(let object), .secret(let object): object.metadata
        case .ingress(let object): object.metadata
        case .persistentVolume(let object): object.metadata
        case .persistentVolumeClaim(let object): object.metadata
        case .volumeAttachment(let object): object.metadata
        case .event(let object): object.metadata
        case .endpointSlice(let object): object.metadata
        case .componentStatus(let object): object.metadata
        }
    }
}

extension ClusterState {
    /// Adds or replaces `object` (a watch ADDED or MODIFIED event, or a listed item).
    public mutating func upsert(_ object: KubernetesObject) {
        let key = ObjectKey(object.metadata)
        switch object {
        case .node(let node): nodes[key.name] = node
        case .namespace(let namespace): namespaces[key.name] = namespace
        case .pod(let pod): pods[key] = pod
        case .service(let service): services[key] = service
        case .deployment(let workload): deployments[key] = workload
        case .replicaSet(let workload): replicaSets[key] = workload
        case .daemonSet(let workload): daemonSets[key] = workload
        case .statefulSet(let workload): statefulSets[key] = workload
        case .job(let job): jobs[key] = job
        case .cronJob(let cronJob): cronJobs[key] = cronJob
        case .configMap(let object): configMaps[key] = object
        case .secret(let object): secrets[key] = object
        case .ingress(let ingress): ingresses[key] = ingress
        case .persistentVolume(let volume): persistentVolumes[key.name] = volume
        case .persistentVolumeClaim(let claim): persistentVolumeClaims[key] = claim
        case .volumeAttachment(let attachment): volumeAttachments[key.name] = attachment
        case .endpointSlice(let slice): endpointSlices[key] = slice
        case .componentStatus(let status): componentStatuses[key.name] = status
        case .event: break
        }
    }

    /// Removes `object` (a watch DELETED event).
    public mutating func remove(_ object: KubernetesObject) {
        let key = ObjectKey(object.metadata)
        switch object {
        case .node: nodes[key.name] = nil
        case .namespace: namespaces[key.name] = nil
        case .pod: pods[key] = nil
        case .service: services[key] = nil
        case .deployment: deployments[key] = nil
        case .replicaSet: replicaSets[key] = nil
        case .daemonSet: daemonSets[key] = nil
        case .statefulSet: statefulSets[key] = nil
        case .job: jobs[key] = nil
        case .cronJob: cronJobs[key] = nil
        case .configMap: configMaps[key] = nil
        case .secret: secrets[key] = nil
        case .ingress: ingresses[key] = nil
        case .persistentVolume: persistentVolumes[key.name] = nil
        case .persistentVolumeClaim: persistentVolumeClaims[key] = nil
        case .volumeAttachment: volumeAttachments[key.name] = nil
        case .endpointSlice: endpointSlices[key] = nil
        case .componentStatus: componentStatuses[key.name] = nil
        case .event: break
        }
    }
}
