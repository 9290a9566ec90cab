extension TopologyBuilder {
    /// Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs and CronJobs with their
    /// `controls`, `creates` and `encloses` relations.
    mutating func addWorkloads() {
        let kinds: [(ComponentType, [ObjectKey: Workload])] = [
            (.deployment, state.deployments), (.replicaset, state.replicaSets), (.daemonset, state.daemonSets),
            (.statefulset, state.statefulSets),
        ]
        for (type, objects) in kinds {
            for (key, workload) in objects.sorted(by: { $0.key < $1.key }) {
                add(type, workload.metadata, properties: replicaProperties(workload))
                let target = urn(type, key.namespace, key.name)
                if type == .replicaset, let owner = workload.metadata.controller, owner.kind == "Deployment" {
                    relate(.controls, urn(.deployment, key.namespace, owner.name), target)
                } else {
                    relate(.encloses, urns.namespace(key.namespace), target)
                }
            }
        }
        for (key, cronJob) in state.cronJobs.sorted(by: { $0.key < $1.key }) {
            add(.cronjob, cronJob.metadata)
            relate(.encloses, urns.namespace(key.namespace), urn(.cronjob, key.namespace, key.name))
        }
        for (key, job) in state.jobs.sorted(by: { $0.key < $1.key }) {
            add(.job, job.metadata)
            let target = urn(.job, key.namespace, key.name)
            if let owner = job.metadata.controller, owner.kind == "CronJob" {
                relate(.creates, urn(.cronjob, key.namespace, owner.name), target)
            } else {
                relate(.encloses, urns.namespace(key.namespace), target)
            }
        }
    }

    private func replicaProperties(_ workload: Workload) -> [String: String] {
        var properties: [String: String] = [:]
        if let desired = workload.spec?.replicas ?? workload.status?.desiredNumberScheduled {
            properties["desiredReplicas"] = String(desired)
        }
        if let ready = workload.status?.readyReplicas ?? workload.status?.numberReady {
            properties["readyReplicas"] = String(ready)
        }
        return properties
    }
}
