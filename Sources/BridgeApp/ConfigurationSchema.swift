/// The one list of configuration keys: the parser accepts exactly these (anything else is an
/// unknown key naming the keys here), and the key tables of docs/configuration.md are generated
/// from it (`ConfigurationSchemaTests` fails when they differ). A new key is added here, read in
/// `Configuration+YAML.swift`, and the docs regenerated with `UPDATE_GOLDEN=1`.
///
/// Where Prometheus 2.42 has the same concept the key has Prometheus' name, shape and default
/// (`remote_write`, `tls_config`, `authorization`, `basic_auth`, `queue_config`, a scrape
/// config's `static_configs`), so that blocks copied from a Prometheus configuration load
/// unchanged; keys Prometheus has and the bridge cannot honour are refused by name with the reason.
enum ConfigurationSchema {
    /// The file's top level.
    static let top = KeySet(
        "",
        [
            ConfigurationKey(
                "cluster_name", "`cluster` inside a cluster",
                "part of every URN and the value of the cluster label: lower-case letters, digits, `-` and `.`, "
                    + "starting with a letter and ending with a letter or digit, at most 80 characters "
                    + "(the StackState agent's rule)"),
            ConfigurationKey(
                "mode", "`all`",
                "`node` (DaemonSet: the local kubelet, the local node's pods via `NODE_NAME`), `cluster` "
                    + "(kube-state-metrics and the whole topology), `all` (both), `shard` (sidecar of one "
                    + "kube-state-metrics shard: its series only, as metrics)"),
            ConfigurationKey("kubernetes", "—", "the Kubernetes API and kubelets"),
            ConfigurationKey("scrape", "—", "what is scraped and how often"),
            ConfigurationKey("enrich", "—", "the labels the join adds"),
            ConfigurationKey("server", "—", "the bridge's own HTTP server"),
            ConfigurationKey("topology_metrics", "—", "the topology series on `/metrics`"),
            ConfigurationKey("processes", "—", "processes and their TCP connections, from `/proc` and conntrack"),
            ConfigurationKey("remote_write", "`[]`", "remote-write 1.0 endpoints, as Prometheus' `remote_write`"),
            ConfigurationKey("stackstate", "—", "the StackState receiver and what is forwarded to it"),
        ])

    /// `kubernetes:`.
    static let kubernetes = KeySet(
        "kubernetes",
        [
            ConfigurationKey("api_server", "in-cluster, else kubeconfig", "explicit API server URL"),
            ConfigurationKey("kubeconfig", "`$KUBECONFIG`, then `~/.kube/config`", "kubeconfig file (current context)"),
            ConfigurationKey(
                "kubelet_access", "`proxy`",
                "`proxy` (through the apiserver's node proxy) or `direct` (`https://<InternalIP>:10250`)"),
            ConfigurationKey("leader_election", "—", "which replica of several forwards"),
            ConfigurationKey(
                "streaming_lists", "`true`",
                "list as a watch with `sendInitialEvents=true` (Kubernetes 1.32+, served from the watch cache "
                    + "object by object), falling back to paged lists from the cache where the server refuses it"),
        ] + tlsAliases,
        including: [httpClient])

    /// `kubernetes.leader_election:`.
    static let leaderElection = KeySet(
        "kubernetes.leader_election",
        [
            ConfigurationKey(
                "enabled", "`true` in `cluster` mode, else `false`",
                "elect one forwarding replica on a Lease; refused in `node` and `shard` mode"),
            ConfigurationKey("lease_name", "`stackbridge`", "the `coordination.k8s.io/v1` Lease"),
            ConfigurationKey(
                "lease_namespace", "`$POD_NAMESPACE`, the service account's namespace, else `default`",
                "its namespace"),
            ConfigurationKey("lease_duration", "`15s`", "how long standbys wait after the last renewal"),
            ConfigurationKey(
                "renew_deadline", "`10s`",
                "how long the leader tries to renew before it steps down; "
                    + "lease_duration > renew_deadline > 1.2 × retry_period"),
            ConfigurationKey("retry_period", "`2s`", "how often every replica looks at the Lease"),
        ])

    /// `scrape:`.
    static let scrape = KeySet(
        "scrape",
        [
            ConfigurationKey(
                "interval", "`30s`",
                "how often every target is scraped (Prometheus durations: `500ms`, `30s`, `1m30s`)"),
            ConfigurationKey(
                "timeout", "`10s`, or `interval` when that is shorter",
                "per scrape; at most the interval (Prometheus' rule for `scrape_timeout`)"),
            ConfigurationKey("kube_state_metrics", "—", "kube-state-metrics endpoints"),
            ConfigurationKey("kubelet", "—", "kubelet series"),
            ConfigurationKey(
                "body_memory_budget", "`1GiB`",
                "memory all scrape bodies in flight may take together, within which each target's own limit "
                    + "(256 MiB, `body_size_limit`) applies; a scrape that would exceed it fails, naming it"),
            ConfigurationKey(
                "static_targets", "`[]`",
                "any Prometheus-format endpoint, joined like the rest: `{job, url}`, or a Prometheus "
                    + "`scrape_config` with `static_configs`"),
        ])

    /// `scrape.kube_state_metrics:`.
    static let kubeStateMetrics = KeySet(
        "scrape.kube_state_metrics",
        [
            ConfigurationKey("urls", "`[]`", "kube-state-metrics endpoints (all shards)"),
            ConfigurationKey(
                "service", "—",
                "`namespace/name` of the kube-state-metrics Service, discovered through its Endpoints"),
            ConfigurationKey(
                "node_local_url", "—",
                "`node` mode: the per-node kube-state-metrics on this node (`--resources=pods --node=$(NODE_NAME)`), "
                    + "for example a Service with `internalTrafficPolicy: Local` (docs/install.md, large clusters)"),
            ConfigurationKey(
                "telemetry_url", "—",
                "the shard's telemetry (`http://localhost:8081/metrics`), whose `kube_state_metrics_shard_ordinal` "
                    + "and `kube_state_metrics_total_shards` say which shard it is; `shard` mode only, and required there"
            ),
            ConfigurationKey("metric_relabel_configs", "`[]`", "Prometheus `metric_relabel_configs` for its series"),
        ] + scrapeLimits)

    /// `scrape.kubelet:`.
    static let kubelet = KeySet(
        "scrape.kubelet",
        [ConfigurationKey("metric_relabel_configs", "`[]`", "Prometheus `metric_relabel_configs` for kubelet series")]
            + scrapeLimits)

    /// One `scrape.static_targets` entry: the bridge's `{job, url}` or a Prometheus `scrape_config`.
    static let staticTarget = KeySet(
        "scrape.static_targets[]",
        [
            ConfigurationKey("job", "—", "the job label (or `job_name`)"),
            ConfigurationKey("job_name", "—", "the job label, as a Prometheus `scrape_config` names it"),
            ConfigurationKey("url", "—", "the metrics URL (or `static_configs`)"),
            ConfigurationKey("static_configs", "—", "targets as `host:port` with labels, as Prometheus writes them"),
            ConfigurationKey("scheme", "`http`", "`http` or `https`, for `static_configs` targets"),
            ConfigurationKey("metrics_path", "`/metrics`", "the path, for `static_configs` targets"),
            ConfigurationKey("params", "—", "URL parameters, a mapping of name to a list of values"),
            ConfigurationKey("scrape_interval", "`scrape.interval`", "this job's interval"),
            ConfigurationKey(
                "scrape_timeout", "`scrape.timeout`, or `scrape_interval` when that is shorter",
                "this job's timeout; at most its interval"),
            ConfigurationKey(
                "honor_labels", "`false`",
                "`false` only: a target label that a series carries too is kept as `exported_<name>`"),
            ConfigurationKey("honor_timestamps", "`true`", "keep the timestamps the target writes"),
            ConfigurationKey("metric_relabel_configs", "`[]`", "Prometheus `metric_relabel_configs`"),
            ConfigurationKey(
                "relabel_configs", "`[]`",
                "Prometheus target relabeling of `static_configs` targets, applied once when the file is read"),
            .refused(
                "kubernetes_sd_configs",
                "the bridge discovers kubelets and kube-state-metrics itself; list other targets in static_configs"),
            .refused("file_sd_configs", "service discovery is not built in; list the targets in static_configs"),
            .refused("dns_sd_configs", "service discovery is not built in; list the targets in static_configs"),
            .refused("http_sd_configs", "service discovery is not built in; list the targets in static_configs"),
            .refused("consul_sd_configs", "service discovery is not built in; list the targets in static_configs"),
            .refused("ec2_sd_configs", "service discovery is not built in; list the targets in static_configs"),
            .refused("target_limit", "targets come from static_configs, which the file already bounds"),
        ] + scrapeLimits + tlsAliases,
        including: [httpClient])

    /// Prometheus 2.42's per-target limits, in a static target, `scrape.kubelet` and
    /// `scrape.kube_state_metrics`; any one exceeded fails the scrape (`up` 0).
    static let scrapeLimits = [
        ConfigurationKey("sample_limit", "`0`", "most samples after relabeling (0: none)"),
        ConfigurationKey("label_limit", "`0`", "most labels on a series, `__name__` included (0: none)"),
        ConfigurationKey("label_name_length_limit", "`0`", "longest label name in bytes (0: none)"),
        ConfigurationKey("label_value_length_limit", "`0`", "longest label value in bytes (0: none)"),
        ConfigurationKey(
            "body_size_limit", "`256MiB`",
            "largest decoded body (`0`: the default); a body without Content-Length is cut off there too"),
    ]

    /// One `static_configs` entry of a static target.
    static let staticConfig = KeySet(
        "scrape.static_targets[].static_configs[]",
        [
            ConfigurationKey("targets", "—", "`host:port` of each target"),
            ConfigurationKey("labels", "—", "labels added to every series of these targets"),
        ])

    /// `enrich:`.
    static let enrich = KeySet(
        "enrich",
        [
            ConfigurationKey("cluster_label", "`cluster`", "name of the cluster label"),
            ConfigurationKey("pod_labels", "`[]`", "pod labels copied as `label_<sanitised>`"),
            ConfigurationKey("overwrite", "`false`", "whether added labels replace a source label of the same name"),
            ConfigurationKey("label_names", "—", "other names for the enrichment labels"),
        ])

    /// `enrich.label_names:`.
    static let labelNames = KeySet(
        "enrich.label_names",
        ["node", "workload_kind", "workload", "owner_kind", "owner", "zone", "region"].map {
            ConfigurationKey($0, "`\($0)`", "the name of the `\($0)` label")
        })

    /// `server:`.
    static let server = KeySet(
        "server",
        [
            ConfigurationKey(
                "listen", "`0.0.0.0:10057`",
                "where `/metrics`, `/telemetry`, `/healthz`, `/readyz`, `/-/healthy`, `/-/ready` and "
                    + "`/api/v1/topology` are served (`--listen` overrides)"),
            ConfigurationKey(
                "web_config_file", "—", "TLS and basic auth for the server, in the exporter-toolkit format (below)"),
            ConfigurationKey(
                "max_connections", "`512`",
                "most connections open at once, as Prometheus' `--web.max-connections`; past it each new connection "
                    + "closes the one quiet longest. A connection is closed after 10 s without a first request, or "
                    + "120 s without one since its last"),
            ConfigurationKey(
                "enable_lifecycle", "`false`",
                "serve `POST /-/reload`, which re-reads the configuration as SIGHUP does (Prometheus' "
                    + "`--web.enable-lifecycle`); off, it answers 403"),
        ])

    /// `topology_metrics:`.
    static let topologyMetrics = KeySet(
        "topology_metrics",
        [
            ConfigurationKey("relations", "`true`", "expose `stackbridge_topology_relation_info`"),
            ConfigurationKey(
                "interval", "`15s`",
                "how often the topology series are rebuilt when the cluster changed (not before every watched "
                    + "resource has listed once)"),
        ])

    /// `processes:`.
    static let processes = KeySet(
        "processes",
        [
            ConfigurationKey(
                "enabled", "`false`",
                "node agents walk `/proc` and serve what they find at `/api/v1/processes`; the leader gathers "
                    + "every node's report and adds `process` components and `directional_connection` relations "
                    + "(needs the `processes` deploy overlay: hostPID, hostNetwork, SYS_PTRACE, DAC_READ_SEARCH, "
                    + "NET_ADMIN)"),
            ConfigurationKey("proc_root", "`/proc`", "the host's `/proc` as the node agent sees it"),
            ConfigurationKey("interval", "`30s`", "how often `/proc` is walked and the reports gathered"),
            ConfigurationKey(
                "qualify_after", "`60s`",
                "processes younger than this are left out, and a connection becomes a relation once observed "
                    + "this long (the process agent's 60 s)"),
            ConfigurationKey("expire_after", "`5m`", "how long a connection no longer observed stays a relation"),
            ConfigurationKey(
                "node_port", "`10057`",
                "the port of the node agents' server, reached through the API server's node proxy "
                    + "(`kubernetes.kubelet_access: proxy`) or at the node's InternalIP (`direct`)"),
        ])

    /// One `remote_write` entry, as Prometheus 2.42 has it.
    static let remoteWrite = KeySet(
        "remote_write[]",
        [
            ConfigurationKey("url", "—", "the receiver's URL (required)"),
            ConfigurationKey(
                "name", "—", "a name unique among the endpoints, for logs and the `remote_name` label of self-metrics"),
            ConfigurationKey("remote_timeout", "`30s`", "timeout of one request"),
            ConfigurationKey(
                "headers", "—",
                "extra request headers; not `Authorization` nor the four remote-write headers, as in Prometheus"),
            ConfigurationKey(
                "write_relabel_configs", "`[]`",
                "Prometheus relabel rules applied to every series (with its `job` and `instance`) before it is sent"),
            ConfigurationKey(
                "send_exemplars", "`false`", "`false` only: exemplars are kept on `/metrics` but not remote-written"),
            ConfigurationKey(
                "send_native_histograms", "`false`", "accepted; text scrapes have no native histograms to send"),
            ConfigurationKey("queue_config", "—", "the queue, with Prometheus' keys"),
            ConfigurationKey(
                "metadata_config", "—",
                "accepted with Prometheus' keys; the bridge sends no metadata requests, so `send: false` is honoured "
                    + "and `send: true` sends nothing"),
            ConfigurationKey("spool", "—", "a disk buffer for outages and restarts"),
            .refused("sigv4", "AWS SigV4 signing is not built in; put a SigV4 signing proxy in front of the receiver"),
            .refused(
                "azuread",
                "Azure AD authentication is not built in; use authorization with a token file kept fresh "
                    + "by a sidecar"),
        ] + tlsAliases,
        including: [httpClient])

    /// `remote_write[].queue_config:`, every field of Prometheus 2.42.
    static let queueConfig = KeySet(
        "remote_write[].queue_config",
        [
            ConfigurationKey("capacity", "`10000`", "samples buffered in memory per shard"),
            ConfigurationKey(
                "max_shards", "`200`",
                "most shards; the bridge runs a fixed number of shards, 4 kept within min_shards and max_shards"),
            ConfigurationKey("min_shards", "`1`", "fewest shards"),
            ConfigurationKey("max_samples_per_send", "`2000`", "most samples in one request"),
            ConfigurationKey("batch_send_deadline", "`5s`", "longest a sample waits for its batch to fill"),
            ConfigurationKey("min_backoff", "`30ms`", "first retry delay, doubled per failure"),
            ConfigurationKey("max_backoff", "`5s`", "longest retry delay"),
            ConfigurationKey(
                "retry_on_http_429", "`false`", "retry 429 answers after `Retry-After` (seconds or HTTP date)"),
        ])

    /// `remote_write[].metadata_config:`.
    static let metadataConfig = KeySet(
        "remote_write[].metadata_config",
        [
            ConfigurationKey("send", "`true`", "whether metadata would be sent"),
            ConfigurationKey("send_interval", "`1m`", "how often"),
            ConfigurationKey("max_samples_per_send", "`500`", "most metadata entries in one request"),
        ])

    /// `remote_write[].spool:`.
    static let spool = KeySet(
        "remote_write[].spool",
        [
            ConfigurationKey("path", "—", "directory of the spool database"),
            ConfigurationKey(
                "max_disk_bytes", "`1GiB`",
                "the most the spool's files (database and WAL) take on disk, at least `1MiB`; over it the oldest "
                    + "batches are deleted"),
        ])

    /// `stackstate:`.
    static let stackState = KeySet(
        "stackstate",
        [
            ConfigurationKey("url", "—", "the receiver, `https://<tenant>.app.stackstate.io/receiver/stsAgent`"),
            ConfigurationKey("api_key_file", "`STS_API_KEY`", "file holding the API key"),
            ConfigurationKey("topology_interval", "`90s`", "topology snapshot and health snapshot"),
            ConfigurationKey("metrics_interval", "`40s`", "enriched series to `/api/v1/series`"),
            ConfigurationKey(
                "events_interval", "`5s`", "events go out as they happen, gathered for at most this long"),
            ConfigurationKey("topology", "`true`", "forward the topology"),
            ConfigurationKey("health", "`true`", "forward health"),
            ConfigurationKey("events", "`true`", "forward events"),
            ConfigurationKey("metrics", "`true`", "forward series"),
            ConfigurationKey("queue_bytes", "`15MiB`", "compressed posts held while the receiver is unreachable"),
            ConfigurationKey("timeout", "`20s`", "one request"),
            ConfigurationKey(
                "processes", "`intake`",
                "with `processes.enabled`: `intake` sends processes and connections as components and relations "
                    + "of the topology snapshot, correlated by the bridge; `agent-protocol` sends each node's "
                    + "processes and connections as the process agent does (`/api/v1/collector`, "
                    + "`/api/v1/connections`, zstd protobuf) for the receiver to correlate"),
            ConfigurationKey(
                "event_categories", "`{}`",
                "reason → `Activities`, `Alerts`, `Changes` or `Others`, before the built-in table"),
        ] + tlsAliases,
        including: [httpClient])

    /// Prometheus' HTTP client keys, shared by every endpoint the bridge connects to.
    static let httpClient = KeySet(
        "<endpoint>",
        [
            ConfigurationKey("tls_config", "—", "TLS trust, identity and versions (below)"),
            ConfigurationKey("authorization", "—", "an `Authorization` header (below)"),
            ConfigurationKey("basic_auth", "—", "HTTP basic authentication (below)"),
            ConfigurationKey("bearer_token", "—", "a bearer token written in the file"),
            ConfigurationKey("bearer_token_file", "—", "a file holding a bearer token, read again when it changes"),
            ConfigurationKey("proxy_url", "environment", "an HTTP proxy; else `http_proxy`, `HTTPS_PROXY`, `NO_PROXY`"),
            ConfigurationKey("proxy_connect_header", "—", "headers for the proxy's CONNECT (name to list of values)"),
            ConfigurationKey(
                "follow_redirects", "`true`",
                "follow 3xx answers within the endpoint's origin, at most five (another origin is an error, so "
                    + "credentials stay with their origin); writes (remote write, StackState) never follow one"),
            ConfigurationKey("enable_http2", "`true`", "offer HTTP/2 over TLS; HTTP/1.1 only when false"),
            .refused("oauth2", "OAuth 2.0 client credentials are not built in; use authorization.credentials_file"),
        ])

    /// `tls_config:` of an endpoint.
    static let tlsConfig = KeySet(
        "<endpoint>.tls_config",
        [
            ConfigurationKey("ca_file", "system CAs", "CA certificates that sign the server's certificate"),
            ConfigurationKey("cert_file", "—", "client certificate (PEM)"),
            ConfigurationKey("key_file", "—", "its private key (PEM)"),
            ConfigurationKey(
                "server_name", "the URL's host", "the name to verify the certificate against and send as SNI"),
            ConfigurationKey("insecure_skip_verify", "`false`", "skip certificate verification"),
            ConfigurationKey("min_version", "`TLS12`", "oldest TLS version: `TLS10`, `TLS11`, `TLS12`, `TLS13`"),
            ConfigurationKey("max_version", "the newest", "newest TLS version offered"),
        ])

    /// `authorization:` of an endpoint.
    static let authorization = KeySet(
        "<endpoint>.authorization",
        [
            ConfigurationKey("type", "`Bearer`", "the scheme; not `Basic` (use basic_auth)"),
            ConfigurationKey("credentials", "—", "the credentials, written in the file"),
            ConfigurationKey("credentials_file", "—", "a file holding them, read again when it changes"),
        ])

    /// `basic_auth:` of an endpoint.
    static let basicAuth = KeySet(
        "<endpoint>.basic_auth",
        [
            ConfigurationKey("username", "—", "the user name"),
            ConfigurationKey("password", "—", "the password, written in the file"),
            ConfigurationKey("password_file", "—", "a file holding the password"),
        ])

    /// The flat TLS keys endpoints had before `tls_config`, kept as aliases.
    static let tlsAliases: [ConfigurationKey] = [
        "ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify",
    ].map { ConfigurationKey.alias($0, of: "tls_config.\($0)") }

    /// Every key set, in the order the docs list them.
    static let documented: [KeySet] = [
        top, kubernetes, leaderElection, scrape, kubeStateMetrics, kubelet, staticTarget, staticConfig, enrich,
        labelNames, server, topologyMetrics, processes, remoteWrite, queueConfig, metadataConfig, spool, stackState,
        httpClient,
        tlsConfig, authorization, basicAuth,
    ]
}
