extension SimulatedCluster.Builder {
    mutating func addNodesAndNamespaces() {
        for index in 0..<nodeCount {
            let zone = "eu-west-1" + ["a", "b", "c"][index % 3]
            let name = "node-\(index)"
            let (metadata, _) = meta(
                name, namespace: nil,
                labels: [
                    ("kubernetes.io/hostname", name), ("topology.kubernetes.io/region", "eu-west-1"),
                    ("topology.kubernetes.io/zone", zone), ("node.kubernetes.io/instance-type", "m6i.xlarge"),
                ]
            )
            let address = "10.0.\(index / 250).\(index % 250 + 1)"
            add(
                "nodes", "v1", "Node", namespace: nil, name: name, metadata: metadata,
                [
                    ("spec", .object([("providerID", .string("aws:///\(zone)/i-0\(hex(16))"))])),
                    (
                        "status",
                        .object([
                            (
                                "addresses",
                                .array([
                                    .object([("type", "InternalIP"), ("address", .string(address))]),
                                    .object([("type", "Hostname"), ("address", .string(name))]),
                                ])
                            ),
                            (
                                "conditions",
                                .array([.object([("type", "Ready"), ("status", "True"), ("reason", "KubeletReady")])])
                            ),
                            (
                                "nodeInfo",
                                .object([
                                    ("kubeletVersion", "v1.29.4"), ("containerRuntimeVersion", "containerd://1.7.13"),
                                ])
                            ),
                        ])
                    ),
                ]
            )
        }
        for namespace in ["kube-system", "monitoring"] + SimulatedCluster.applicationNamespaces {
            add(
                "namespaces", "v1", "Namespace", namespace: nil, name: namespace,
                metadata: meta(namespace, namespace: nil).json)
            // Kubernetes publishes the cluster CA in every namespace; pods project it.
            addConfigMap(namespace: namespace, name: "kube-root-ca.crt")
        }
    }

    mutating func addDaemonSet() {
        let namespace = "kube-system"
        addConfigMap(namespace: namespace, name: "node-agent-config")
        let (metadata, id) = meta("node-agent", namespace: namespace, labels: [("app", "node-agent")])
        add(
            "daemonsets.apps", "apps/v1", "DaemonSet", namespace: namespace, name: "node-agent", metadata: metadata,
            [("status", .object([("desiredNumberScheduled", .int(nodeCount)), ("numberReady", .int(nodeCount))]))]
        )
        for node in 0..<nodeCount {
            addPod(
                namespace: namespace, name: "node-agent-\(hex(5))", app: "node-agent", node: "node-\(node)",
                owner: ("DaemonSet", "node-agent", id, "apps/v1"), configMap: "node-agent-config", secret: nil
            )
        }
    }

    mutating func addStatefulSet(namespace: String) {
        addSecret(namespace: namespace, name: "db-credentials")
        let (metadata, id) = meta("db", namespace: namespace, labels: [("app", "db")])
        add(
            "statefulsets.apps", "apps/v1", "StatefulSet", namespace: namespace, name: "db", metadata: metadata,
            [("spec", .object([("replicas", 1)])), ("status", .object([("replicas", 1), ("readyReplicas", 1)]))]
        )
        addService(namespace: namespace, name: "db", app: "db", headless: true)
        let node = nextNode()
        let volume = "pv-\(namespace)-db-0"
        add(
            "persistentvolumes", "v1", "PersistentVolume", namespace: nil, name: volume,
            metadata: meta(volume, namespace: nil).json,
            [
                (
                    "spec",
                    .object([
                        ("csi", .object([("driver", "ebs.csi.aws.com"), ("volumeHandle", .string("vol-0\(hex(16))"))]))
                    ])
                )
            ]
        )
        add(
            "persistentvolumeclaims", "v1", "PersistentVolumeClaim", namespace: namespace, name: "data-db-0",
            metadata: meta("data-db-0", namespace: namespace).json,
            [("spec", .object([("volumeName", .string(volume))]))]
        )
        let attachment = "csi-\(hex(20))"
        add(
            "volumeattachments.storage.k8s.io", "storage.k8s.io/v1", "VolumeAttachment", namespace: nil,
            name: attachment,
            metadata: meta(attachment, namespace: nil).json,
            [
                (
                    "spec",
                    .object([
                        ("attacher", "ebs.csi.aws.com"), ("nodeName", .string(node)),
                        ("source", .object([("persistentVolumeName", .string(volume))])),
                    ])
                )
            ]
        )
        addPod(
            namespace: namespace, name: "db-0", app: "db", node: node, owner: ("StatefulSet", "db", id, "apps/v1"),
            configMap: nil, secret: "db-credentials", claim: "data-db-0"
        )
    }

    mutating func addCronJob(namespace: String) {
        let (cronMetadata, cronID) = meta("report", namespace: namespace, labels: [("app", "report")])
        add("cronjobs.batch", "batch/v1", "CronJob", namespace: namespace, name: "report", metadata: cronMetadata)
        let job = "report-29000000"
        let (jobMetadata, jobID) = meta(job, namespace: namespace, owner: ("CronJob", "report", cronID, "batch/v1"))
        add(
            "jobs.batch", "batch/v1", "Job", namespace: namespace, name: job, metadata: jobMetadata,
            [("status", .object([("succeeded", 1)]))])
        addPod(
            namespace: namespace, name: "\(job)-\(hex(5))", app: "report", node: nextNode(),
            owner: ("Job", job, jobID, "batch/v1"),
            configMap: nil, secret: nil, phase: "Succeeded"
        )
    }

    mutating func addBarePod(namespace: String, name: String) {
        let node = nextNode()
        addPod(namespace: namespace, name: name, app: "debug", node: node, owner: nil, configMap: nil, secret: nil)
        addEventAboutLast(
            reason: "Scheduled", note: "Successfully assigned \(namespace)/\(name) to \(node)",
            controller: "default-scheduler")
        addEventAboutLast(
            reason: "BackOff", note: "Back-off restarting failed container debug in pod \(name)", type: "Warning",
            controller: "kubelet")
        addEventAboutLast(
            reason: "NotTriggerScaleUp",
            note: "pod didn't trigger scale-up: 1 max node group size reached", controller: "cluster-autoscaler")
    }

    mutating func addDeployment(namespace: String, name: String, replicas: Int) {
        addConfigMap(namespace: namespace, name: "\(name)-config")
        addSecret(namespace: namespace, name: "\(name)-secret")
        let labels = [("app", name), ("app.kubernetes.io/name", name)]
        let (deploymentMetadata, deploymentID) = meta(name, namespace: namespace, labels: labels)
        add(
            "deployments.apps", "apps/v1", "Deployment", namespace: namespace, name: name, metadata: deploymentMetadata,
            [
                ("spec", .object([("replicas", .int(replicas))])),
                ("status", .object([("readyReplicas", .int(replicas)), ("availableReplicas", .int(replicas))])),
            ]
        )
        // The Deployment controller names a ReplicaSet `<deployment>-<pod-template-hash>` and
        // labels it and its pods with the hash.
        let templateHash = hex(10)
        let replicaSet = "\(name)-\(templateHash)"
        if name == SimulatedCluster.applications.first {
            addEventAboutLast(
                reason: "ScalingReplicaSet", note: "Scaled up replica set \(replicaSet) to \(replicas)",
                controller: "deployment-controller")
        }
        let (setMetadata, setID) = meta(
            replicaSet, namespace: namespace, labels: labels + [("pod-template-hash", templateHash)],
            owner: ("Deployment", name, deploymentID, "apps/v1"))
        add(
            "replicasets.apps", "apps/v1", "ReplicaSet", namespace: namespace, name: replicaSet, metadata: setMetadata,
            [
                ("spec", .object([("replicas", .int(replicas))])),
                ("status", .object([("readyReplicas", .int(replicas))])),
            ]
        )
        for _ in 0..<replicas {
            addPod(
                namespace: namespace, name: "\(replicaSet)-\(hex(5))", app: name, node: nextNode(),
                owner: ("ReplicaSet", replicaSet, setID, "apps/v1"), configMap: "\(name)-config",
                secret: "\(name)-secret", podTemplateHash: templateHash
            )
        }
        addService(namespace: namespace, name: name, app: name, headless: false)
        if name == "frontend" { addIngress(namespace: namespace, service: name) }
    }
}
