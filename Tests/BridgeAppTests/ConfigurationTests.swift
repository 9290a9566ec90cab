import BridgeCore
import Foundation
import Testing

@testable import BridgeApp

@Suite struct ConfigurationTests {
    @Test func theDefaultFileParsesToTheDefaults() throws {
        var expected = Configuration()
        expected.clusterName = "my-cluster"
        #expect(try Configuration.parse(Configuration.defaultYAML) == expected)
    }

    @Test func aFullFileSetsEveryKey() throws {
        let passwordFile = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID())").path
        try "s3cret\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: passwordFile) }
        let configuration = try Configuration.parse(
            """
            cluster_name: prod-eu
            mode: node
            kubernetes:
              api_server: https://10.0.0.1:6443
              kubelet_access: direct
              streaming_lists: false
              ca_file: /ca.crt
              bearer_token_file: /token
            scrape:
              interval: 1m
              timeout: 45s
              kube_state_metrics:
                service: kube-system/kube-state-metrics
                node_local_url: http://ksm-pods.kube-system.svc:8080/metrics
                metric_relabel_configs:
                  - action: labeldrop
                    regex: uid
              static_targets:
                - job: my-exporter
                  url: https://10.0.0.9:9100/metrics
                  insecure_skip_verify: true
                  basic_auth: {username: scraper, password_file: \(passwordFile)}
            enrich:
              cluster_label: k8s_cluster
              pod_labels: [app.kubernetes.io/name, team]
              overwrite: true
              label_names: {workload: app_workload}
            server:
              listen: 127.0.0.1:9999
            topology_metrics:
              relations: false
              interval: 1m30s
            """)
        #expect(configuration.clusterName == "prod-eu")
        #expect(configuration.mode == .node)
        #expect(configuration.kubernetes.apiServer == "https://10.0.0.1:6443")
        #expect(configuration.kubernetes.kubeletAccess == .direct)
        #expect(configuration.kubernetes.security.caFile == "/ca.crt")
        #expect(configuration.kubernetes.security.bearerTokenFile == "/token")
        #expect(configuration.scrape.interval == .seconds(60))
        #expect(configuration.scrape.timeout == .seconds(45))
        #expect(configuration.scrape.kubeStateMetricsService == "kube-system/kube-state-metrics")
        #expect(configuration.scrape.kubeStateMetricsNodeLocalURL == "http://ksm-pods.kube-system.svc:8080/metrics")
        #expect(!configuration.kubernetes.streamingLists)
        #expect(configuration.scrape.kubeStateMetricsRelabelConfigs.first?.action == .labelDrop)
        let target = try #require(configuration.scrape.staticTargets.first)
        #expect(target.job == "my-exporter")
        #expect(target.security.insecureSkipVerify)
        #expect(target.security.basicAuth?.username == "scraper")
        #expect(target.security.basicAuth?.password == "s3cret")
        #expect(configuration.enrich.clusterLabel == "k8s_cluster")
        #expect(configuration.enrich.podLabels == ["app.kubernetes.io/name", "team"])
        #expect(configuration.enrich.overwrite)
        #expect(configuration.enrich.workloadLabel == "app_workload")
        #expect(configuration.server.listen == "127.0.0.1:9999")
        #expect(!configuration.topologyMetrics.relations)
        #expect(configuration.topologyMetrics.interval == .seconds(90))
    }

    @Test(arguments: [
        ("mode: daemon", #"mode: invalid value "daemon" (expected one of node, cluster, all, shard)"#),
        (
            "scrape: {interval: 30}",
            #"scrape.interval: invalid value "30" (expected a positive duration such as 30s, 1m or 1m30s)"#
        ),
        (
            "scrape: {intervall: 30s}",
            "scrape.intervall: unknown key \"intervall\" (did you mean interval?); keys here are interval, timeout, kube_state_metrics, kubelet, body_memory_budget, static_targets"
        ),
        (
            "scrape: {interval: 10s, timeout: 20s}",
            #"scrape.timeout: invalid value "20s" (expected at most scrape.interval (10s))"#
        ),
        (
            "scrape: {kube_state_metrics: {urls: [ftp://x]}}",
            #"scrape.kube_state_metrics.urls[0]: invalid value "ftp://x" (expected an http:// or https:// URL)"#
        ),
        (
            "scrape: {kube_state_metrics: {service: ksm}}",
            #"scrape.kube_state_metrics.service: invalid value "ksm" (expected namespace/name, for example kube-system/kube-state-metrics)"#
        ),
        (
            "scrape: {kube_state_metrics: {node_local_url: 'http://ksm-pods.kube-system.svc:8080/metrics'}}",
            #"scrape.kube_state_metrics.node_local_url: invalid value "http://ksm-pods.kube-system.svc:8080/metrics" (expected only in node mode"#
        ),
        (
            "scrape: {kube_state_metrics: {telemetry_url: 'http://localhost:8081/metrics'}}",
            #"scrape.kube_state_metrics.telemetry_url: invalid value "http://localhost:8081/metrics" (expected only in shard mode"#
        ),
        (
            "mode: shard",
            #"scrape.kube_state_metrics.urls: invalid value "" (expected in shard mode, exactly one URL, the shard's own"#
        ),
        (
            "{mode: shard, scrape: {kube_state_metrics: {urls: ['http://localhost:8080/metrics']}}}",
            #"scrape.kube_state_metrics.telemetry_url: invalid value "" (expected in shard mode, the shard's telemetry URL"#
        ),
        (
            "scrape: {static_targets: [{job: x}]}",
            #"scrape.static_targets[0]: missing key "static_configs" (expected the targets, or a url)"#
        ),
        (
            "scrape: {static_targets: [{job: x, url: 'https://u:pw@h/m'}, {job: y}]}",
            #"scrape.static_targets[1]: missing key "static_configs" (expected the targets, or a url)"#
        ),
        (
            "scrape: {kubelet: {metric_relabel_configs: [{action: explode}]}}",
            "scrape.kubelet.metric_relabel_configs[0].action"
        ),
        (
            "enrich: {cluster_label: 'my-cluster'}",
            #"enrich.cluster_label: invalid value "my-cluster" (expected a label name matching [a-zA-Z_][a-zA-Z0-9_]*)"#
        ),
        ("enrich: {overwrite: maybe}", #"enrich.overwrite: invalid value "maybe" (expected true or false)"#),
        (
            "server: {listen: ':http'}",
            #"server.listen: invalid value ":http" (expected HOST:PORT, for example 0.0.0.0:10057)"#
        ),
        ("{", "valid YAML"),
    ])
    func badValuesAreNamed(_ yaml: String, _ message: String) {
        #expect {
            _ = try Configuration.parse(yaml)
        } throws: { error in
            "\(error)".hasPrefix(message) || (message.count < 45 && "\(error)".contains(message))
        }
    }

    @Test(arguments: [("5s", 5), ("10s", 10), ("1m", 10), ("30s", 10)])
    func theTimeoutDefaultsToTenSecondsOrTheShorterInterval(_ interval: String, _ seconds: Int64) throws {
        let configuration = try Configuration.parse("scrape: {interval: \(interval)}")
        #expect(configuration.scrape.timeout == .seconds(seconds))
    }

    @Test func everyEndpointTakesPrometheusHTTPClientShapes() throws {
        let configuration = try Configuration.parse(
            """
            kubernetes:
              api_server: https://10.0.0.1:6443
              tls_config: {ca_file: /ca.crt, server_name: kubernetes.default, min_version: TLS13}
              authorization: {credentials_file: /token}
            scrape:
              static_targets:
                - job: exporter
                  url: https://10.0.0.9:9100/metrics
                  basic_auth: {username: scraper, password: inline-pw}
                  follow_redirects: false
                  enable_http2: false
                - job: legacy
                  url: https://10.0.0.8:9100/metrics
                  insecure_skip_verify: true
            stackstate:
              url: https://tenant.example/receiver/stsAgent
              tls_config: {cert_file: /client.crt, key_file: /client.key}
              authorization: {type: Token, credentials: inline-token}
              proxy_url: http://proxy:3128
              proxy_connect_header: {X-Tenant: [a, b]}
            """)
        let api = configuration.kubernetes.security
        #expect(api.caFile == "/ca.crt" && api.serverName == "kubernetes.default" && api.minTLSVersion == .tls13)
        #expect(api.authorization == .init(credentials: .file("/token")))
        let exporter = configuration.scrape.staticTargets[0].security
        #expect(exporter.basicAuth == .init(username: "scraper", password: "inline-pw"))
        #expect(!exporter.followRedirects && !exporter.enableHTTP2)
        #expect(configuration.scrape.staticTargets[1].security.insecureSkipVerify)
        let receiver = try #require(configuration.stackState).forwarder.endpoint.security
        #expect(receiver.certFile == "/client.crt" && receiver.keyFile == "/client.key")
        #expect(receiver.authorization == .init(type: "Token", credentials: .inline("inline-token")))
        #expect(receiver.proxyConnectHeaders == ["X-Tenant": ["a", "b"]])
    }

    @Test(arguments: ["prod-eu", "a", "prod.eu-1", "k8s-01.example"])
    func clusterNamesStackStateAccepts(_ name: String) throws {
        #expect(try Configuration.parse("cluster_name: \(name)").clusterName == name)
    }

    @Test(arguments: ["Prod", "prod_eu", "prod:eu", "prod/eu", "-prod", "prod-", "1prod", "prod..eu", "''"])
    func clusterNamesThatWouldBreakURNsAreRefused(_ name: String) {
        #expect {
            _ = try Configuration.parse("cluster_name: \(name)")
        } throws: { "\($0)".hasPrefix("cluster_name: invalid value") }
    }

    @Test func secretsInURLsNeverReachTheMessage() {
        #expect {
            _ = try Configuration.parse("kubernetes: {api_server: 'ftp://user:hunter2@k8s?token=abc'}")
        } throws: { error in
            !"\(error)".contains("hunter2") && !"\(error)".contains("abc")
                && "\(error)".contains("kubernetes.api_server")
        }
    }

    @Test func loadNamesTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID()).yaml").path
        try "mode: sideways\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            _ = try Configuration.load(file: path)
        } throws: { "\($0)".hasPrefix("\(path): mode: invalid value \"sideways\"") }
        #expect {
            _ = try Configuration.load(file: "/nonexistent/stackbridge.yaml")
        } throws: {
            "\($0)" == "/nonexistent/stackbridge.yaml cannot be read: No such file or directory "
                + "(expected a readable YAML file)"
        }
        #expect {
            _ = try Configuration.load(file: NSTemporaryDirectory())
        } throws: { "\($0)".contains("cannot be read: Is a directory") }
    }

    @Test(arguments: [
        ("30s", 30_000), ("1m30s", 90_000), ("500ms", 500), ("2h", 7_200_000), ("1d", 86_400_000), ("0", 0),
    ])
    func durationsParseAsPrometheusDoes(_ text: String, _ milliseconds: Int64) {
        #expect(PrometheusDuration.parse(text) == .milliseconds(milliseconds))
    }

    @Test(arguments: ["", "30", "1s1m", "1.5s", "-1s", "1x", "1m1m"])
    func badDurationsAreRefused(_ text: String) {
        #expect(PrometheusDuration.parse(text) == nil)
    }
}

@Suite struct RemoteWriteConfigurationTests {
    @Test func entriesAreRead() throws {
        let configuration = try Configuration.parse(
            """
            remote_write:
              - url: https://mimir.example/api/v1/push
                headers: {X-Scope-OrgID: team-a}
                remote_timeout: 10s
                bearer_token_file: /token
                queue_config: {capacity: 500, max_shards: 2, max_samples_per_send: 100, batch_send_deadline: 1s,
                               min_backoff: 100ms, max_backoff: 10s, retry_on_http_429: true}
                spool: {path: /var/lib/stackbridge/rw-0, max_disk_bytes: 1GiB}
            """)
        let entry = try #require(configuration.remoteWrite.first)
        #expect(entry.endpoint.url == "https://mimir.example/api/v1/push")
        #expect(entry.endpoint.headers == ["X-Scope-OrgID": "team-a"])
        #expect(entry.endpoint.timeout == .seconds(10))
        #expect(entry.endpoint.security.bearerTokenFile == "/token")
        #expect(entry.endpoint.retryOnHTTP429)
        #expect(entry.queue.capacity == 500 && entry.queue.maxShards == 2 && entry.queue.maxSamplesPerSend == 100)
        #expect(entry.queue.batchSendDeadline == .seconds(1) && entry.queue.minBackoff == .milliseconds(100))
        #expect(entry.maxDiskBytes == 1 << 30)
    }

    @Test(arguments: [
        (
            "remote_write: [{headers: {a: b}}]",
            #"remote_write[0]: missing key "url" (expected the receiver's URL)"#
        ),
        (
            "remote_write: [{url: http://x/w, queue_config: {capacity: -1}}]",
            #"remote_write[0].queue_config.capacity: invalid value "-1" (expected a positive whole number)"#
        ),
        (
            "remote_write: [{url: http://x/w, spool: {max_disk_bytes: lots}}]",
            #"remote_write[0].spool.max_disk_bytes: invalid value "lots" (expected a size such as 1GiB, 512MiB or 100MB)"#
        ),
        (
            "remote_write: [{url: http://x/w, queue_config: {max_shard: 2}}]",
            "remote_write[0].queue_config.max_shard: unknown key \"max_shard\" (did you mean max_shards?)"
        ),
    ])
    func mistakesAreNamed(_ yaml: String, _ message: String) {
        #expect {
            _ = try Configuration.parse(yaml)
        } throws: { "\($0)".hasPrefix(message) }
    }
}
