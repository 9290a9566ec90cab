extension SimulatedCluster.Builder {
    /// A pod with one container, its config map through envFrom and a volume, its secret through
    /// env valueFrom, the service-account projection, a scratch emptyDir, and a claim when given.
    mutating func addPod(
        namespace: String,
        name: String,
        app: String,
        node: String,
        owner: (kind: String, name: String, uid: String, apiVersion: String)?,
        configMap: String?,
        secret: String?,
        claim: String? = nil,
        phase: String = "Running",
        podTemplateHash: String? = nil
    ) {
        podCount += 1
        let (metadata, _) = meta(
            name, namespace: namespace,
            labels: [("app", app), ("app.kubernetes.io/name", app)]
                + (podTemplateHash.map { [("pod-template-hash", $0)] } ?? []),
            owner: owner)
        let image = "registry.example.com/team/\(app):1.\(random.next() % 9)"
        var env: [JSONValue] = [.object([("name", "LOG_LEVEL"), ("value", "info")])]
        if let secret {
            env.append(
                .object([
                    ("name", "PASSWORD"),
                    (
                        "valueFrom",
                        .object([("secretKeyRef", .object([("name", .string(secret)), ("key", "password")]))])
                    ),
                ])
            )
        }
        var mounts: [JSONValue] = [
            .object([
                ("name", "kube-api-access"), ("mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"),
                ("readOnly", true),
            ]),
            .object([("name", "scratch"), ("mountPath", "/tmp")]),
        ]
        var volumes: [JSONValue] = [
            .object([
                ("name", "kube-api-access"),
                (
                    "projected",
                    .object([("sources", .array([.object([("configMap", .object([("name", "kube-root-ca.crt")]))])]))])
                ),
            ]),
            .object([("name", "scratch"), ("emptyDir", .object([]))]),
        ]
        var container: [(String, JSONValue)] = [
            ("name", .string(app)), ("image", .string(image)), ("env", .array(env)),
        ]
        if let configMap {
            container.append(
                ("envFrom", .array([.object([("configMapRef", .object([("name", .string(configMap))]))])])))
            mounts.append(.object([("name", "config"), ("mountPath", .string("/etc/\(app)")), ("readOnly", true)]))
            volumes.append(.object([("name", "config"), ("configMap", .object([("name", .string(configMap))]))]))
        }
        if let claim {
            mounts.append(.object([("name", "data"), ("mountPath", "/var/lib/data")]))
            volumes.append(
                .object([("name", "data"), ("persistentVolumeClaim", .object([("claimName", .string(claim))]))]))
        }
        container.append(("volumeMounts", .array(mounts)))
        let running = phase == "Running"
        let status: JSONValue = .object([
            ("phase", .string(phase)),
            ("podIP", .string("10.244.\(podCount / 250 % 250).\(podCount % 250 + 1)")),
            ("startTime", "2026-11-01T00:00:00Z"),
            (
                "containerStatuses",
                .array([
                    .object([
                        ("name", .string(app)), ("ready", .bool(running)), ("restartCount", 0),
                        ("image", .string(image)),
                        ("imageID", .string("registry.example.com/team/\(app)@\(digest(of: image))")),
                        ("containerID", .string("containerd://\(hex(64))")),
                    ])
                ])
            ),
        ])
        add(
            "pods", "v1", "Pod", namespace: namespace, name: name, metadata: metadata,
            [
                (
                    "spec",
                    .object([
                        ("nodeName", .string(node)), ("serviceAccountName", "default"),
                        ("containers", .array([.object(container)])),
                        ("volumes", .array(volumes)),
                    ])
                ),
                ("status", status),
            ]
        )
    }

    mutating func addConfigMap(namespace: String, name: String) {
        add(
            "configmaps", "v1", "ConfigMap", namespace: namespace, name: name,
            metadata: meta(name, namespace: namespace).json)
    }

    mutating func addSecret(namespace: String, name: String) {
        add(
            "secrets", "v1", "Secret", namespace: namespace, name: name,
            metadata: meta(name, namespace: namespace).json, [("type", "Opaque")])
    }

    mutating func addService(namespace: String, name: String, app: String, headless: Bool) {
        let clusterIP = headless ? "None" : "10.96.\(random.next() % 250).\(random.next() % 250 + 1)"
        add(
            "services", "v1", "Service", namespace: namespace, name: name,
            metadata: meta(name, namespace: namespace, labels: [("app", app)]).json,
            [
                (
                    "spec",
                    .object([
                        ("type", "ClusterIP"), ("clusterIP", .string(clusterIP)),
                        ("selector", .object([("app", .string(app))])),
                        ("ports", .array([.object([("port", 8080)])])),
                    ])
                )
            ]
        )
    }

    mutating func addExternalService(namespace: String, name: String, target: String) {
        add(
            "services", "v1", "Service", namespace: namespace, name: name,
            metadata: meta(name, namespace: namespace).json,
            [("spec", .object([("type", "ExternalName"), ("externalName", .string(target))]))]
        )
    }

    mutating func addIngress(namespace: String, service: String) {
        add(
            "ingresses.networking.k8s.io", "networking.k8s.io/v1", "Ingress", namespace: namespace, name: service,
            metadata: meta(service, namespace: namespace).json,
            [
                (
                    "spec",
                    .object([
                        (
                            "rules",
                            .array([
                                .object([
                                    ("host", .string("\(service).\(namespace).example.com")),
                                    (
                                        "http",
                                        .object([
                                            (
                                                "paths",
                                                .array([
                                                    .object([
                                                        ("path", "/"), ("pathType", "Prefix"),
                                                        (
                                                            "backend",
                                                            .object([
                                                                (
                                                                    "service",
                                                                    .object([
                                                                        ("name", .string(service)),
                                                                        ("port", .object([("number", 8080)])),
                                                                    ])
                                                                )
                                                            ])
                                                        ),
                                                    ])
                                                ])
                                            )
                                        ])
                                    ),
                                ])
                            ])
                        )
                    ])
                ),
                (
                    "status",
                    .object([
                        (
                            "loadBalancer",
                            .object([
                                (
                                    "ingress",
                                    .array([
                                        .object([
                                            ("ip", .string("34.120.\(random.next() % 250).\(random.next() % 250 + 1)"))
                                        ])
                                    ])
                                )
                            ])
                        )
                    ])
                ),
            ]
        )
    }
}
