#!/usr/bin/env python3
"""Writes the Grafana dashboards of dashboards/ (run from the repository root; `make test` checks the
committed JSON equals this output, and evaluates every panel's query against a real Prometheus).

Every dashboard takes the Prometheus data source and the cluster as variables. Series scraped
through the bridge carry `cluster`; the topology series carry it in their URNs
(urn:kubernetes:/<cluster>:...).
"""
import json
import os

RATE = "$__rate_interval"
CLUSTER = 'cluster=~"$cluster"'


def datasource_variable():
    return {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
            "current": {}, "hide": 0}


def query_variable(name, label, query, multi=False, include_all=False):
    return {"name": name, "label": label, "type": "query", "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "query": {"query": query, "refId": f"{name}-query"}, "definition": query, "refresh": 2, "sort": 1,
            "multi": multi, "includeAll": include_all, "current": {}, "hide": 0}


def panel(title, kind, exprs, x, y, w=12, h=8, unit="short", description="", legend=None):
    targets = []
    for index, expr in enumerate(exprs):
        target = {"refId": chr(ord("A") + index), "expr": expr, "datasource": {"type": "prometheus", "uid": "${datasource}"}}
        if legend:
            target["legendFormat"] = legend[index] if isinstance(legend, list) else legend
        if kind == "table":
            target["format"] = "table"
            target["instant"] = True
        targets.append(target)
    return {"title": title, "type": kind, "description": description,
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "gridPos": {"x": x, "y": y, "w": w, "h": h}, "targets": targets,
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []}, "options": {}}


def dashboard(uid, title, description, variables, panels):
    for index, item in enumerate(panels):
        item["id"] = index + 1
    return {"uid": uid, "title": title, "description": description, "tags": ["stackbridge", "kubernetes"],
            "timezone": "browser", "schemaVersion": 39, "version": 1, "editable": True, "refresh": "30s",
            "time": {"from": "now-1h", "to": "now"}, "templating": {"list": variables}, "panels": panels,
            "annotations": {"list": []}, "links": []}


def cluster_overview():
    pods = f'{CLUSTER}, namespace=~"$namespace"'
    cpu = f'rate(container_cpu_usage_seconds_total{{{pods}, container!=""}}[{RATE}])'
    memory = f'container_memory_working_set_bytes{{{pods}, container!=""}}'
    panels = [
        panel("Nodes", "stat", [f"count(kube_node_info{{{CLUSTER}}})"], 0, 0, 6, 4),
        panel("Running pods", "stat", [f'sum(kube_pod_status_phase{{{pods}, phase="Running"}})'], 6, 0, 6, 4),
        panel("Zones", "stat", [f"count(count by (zone) (kube_node_info{{{CLUSTER}}}))"], 12, 0, 6, 4),
        panel("Workloads not CLEAR", "stat",
              ['count(stackbridge_component_health{type=~"deployment|statefulset|daemonset", urn=~"urn:kubernetes:/$cluster:.*", '
               'stackbridge_component_health!="CLEAR"} == 1) or vector(0)'], 18, 0, 6, 4,
              description="Deployments, StatefulSets and DaemonSets DEVIATING or CRITICAL in the topology."),
        panel("CPU by namespace", "timeseries", [f"sum by (namespace) ({cpu})"], 0, 4, unit="cores", legend="{{namespace}}"),
        panel("Memory by namespace", "timeseries", [f"sum by (namespace) ({memory})"], 12, 4, unit="bytes",
              legend="{{namespace}}"),
        panel("CPU by workload (top 10)", "timeseries",
              [f"topk(10, sum by (namespace, workload_kind, workload) ({cpu}))"], 0, 12, unit="cores",
              legend="{{namespace}}/{{workload}} ({{workload_kind}})"),
        panel("Memory by workload (top 10)", "timeseries",
              [f"topk(10, sum by (namespace, workload_kind, workload) ({memory}))"], 12, 12, unit="bytes",
              legend="{{namespace}}/{{workload}} ({{workload_kind}})"),
        panel("CPU by node", "timeseries", [f"sum by (node) ({cpu})"], 0, 20, unit="cores", legend="{{node}}"),
        panel("Pods by node", "timeseries", [f"count by (node) (kube_pod_info{{{pods}}})"], 12, 20, legend="{{node}}"),
        panel("CPU by zone", "timeseries", [f"sum by (zone) ({cpu})"], 0, 28, unit="cores", legend="{{zone}}"),
        panel("Memory by zone", "timeseries", [f"sum by (zone) ({memory})"], 12, 28, unit="bytes", legend="{{zone}}"),
        panel("Network received by namespace", "timeseries",
              [f"sum by (namespace) (rate(container_network_receive_bytes_total{{{pods}}}[{RATE}]))"], 0, 36,
              unit="Bps", legend="{{namespace}}"),
        panel("Topology health by type", "timeseries",
              ['count by (type, stackbridge_component_health) '
               '(stackbridge_component_health{urn=~"urn:kubernetes:/$cluster:.*"} == 1)'], 12, 36,
              legend="{{type}} {{stackbridge_component_health}}"),
    ]
    variables = [
        datasource_variable(),
        query_variable("cluster", "Cluster", "label_values(kube_node_info, cluster)"),
        query_variable("namespace", "Namespace", f"label_values(kube_pod_info{{{CLUSTER}}}, namespace)", True, True),
    ]
    return dashboard("stackbridge-cluster", "stackbridge / Cluster overview",
                     "The cluster by namespace, workload, node and zone, from the series stackbridge tagged.",
                     variables, panels)


def workload():
    selector = f'{CLUSTER}, namespace="$namespace", workload="$workload"'
    panels = [
        panel("Health", "stat",
              ['max by (stackbridge_component_health) (stackbridge_component_health{type="deployment", '
               'urn=~"urn:kubernetes:/$cluster:.*", namespace="$namespace", name="$workload"}) == 1'], 0, 0, 6, 4,
              legend="{{stackbridge_component_health}}"),
        panel("Replicas", "timeseries",
              [f'sum(kube_deployment_spec_replicas{{{CLUSTER}, namespace="$namespace", deployment="$workload"}})',
               f'sum(kube_deployment_status_replicas_ready{{{CLUSTER}, namespace="$namespace", deployment="$workload"}})'],
              6, 0, 18, 4, legend=["desired", "ready"]),
        panel("Pods by phase", "timeseries", [f"sum by (phase) (kube_pod_status_phase{{{selector}}})"], 0, 4,
              legend="{{phase}}"),
        panel("Pods by node", "timeseries", [f"count by (node) (kube_pod_info{{{selector}}})"], 12, 4, legend="{{node}}"),
        panel("CPU by pod", "timeseries",
              [f'sum by (pod) (rate(container_cpu_usage_seconds_total{{{selector}, container!=""}}[{RATE}]))'], 0, 12,
              unit="cores", legend="{{pod}}"),
        panel("Memory by pod", "timeseries",
              [f'sum by (pod) (container_memory_working_set_bytes{{{selector}, container!=""}})'], 12, 12,
              unit="bytes", legend="{{pod}}"),
        panel("Network received by pod", "timeseries",
              [f"sum by (pod) (rate(container_network_receive_bytes_total{{{selector}}}[{RATE}]))"], 0, 20,
              unit="Bps", legend="{{pod}}"),
        panel("Pods", "table", [f"kube_pod_info{{{selector}}}"], 12, 20),
    ]
    variables = [
        datasource_variable(),
        query_variable("cluster", "Cluster", "label_values(kube_node_info, cluster)"),
        query_variable("namespace", "Namespace", f"label_values(kube_deployment_spec_replicas{{{CLUSTER}}}, namespace)"),
        query_variable("workload", "Deployment",
                       f'label_values(kube_deployment_spec_replicas{{{CLUSTER}, namespace="$namespace"}}, deployment)'),
    ]
    return dashboard("stackbridge-workload", "stackbridge / Workload",
                     "One Deployment: health from the topology, replicas, and its pods' resources.", variables, panels)


def bridge_health():
    instance = 'instance=~"$instance"'
    panels = [
        panel("stackbridge up", "stat", ['up{job=~"stackbridge|stackbridge-telemetry", instance=~"$instance"}'], 0, 0,
              8, 4, legend="{{instance}} {{job}}"),
        panel("Leader", "stat", [f"stackbridge_leader_election_is_leader{{{instance}}}"], 8, 0, 8, 4,
              description="1 on the replica that forwards; only with leader election (cluster mode).",
              legend="{{instance}}"),
        panel("Version", "stat", [f"stackbridge_build_info{{{instance}}}"], 16, 0, 8, 4, legend="{{version}}"),
        panel("Targets up by job", "timeseries",
              ['sum by (job) (up{job=~"kubelet|kube-state-metrics"})',
               'count by (job) (up{job=~"kubelet|kube-state-metrics"})'], 0, 4,
              legend=["{{job}} up", "{{job}} targets"]),
        panel("Scrapes by job and result", "timeseries",
              [f"sum by (job, result) (rate(stackbridge_scrapes_total{{{instance}}}[{RATE}]))"], 12, 4, unit="ops",
              legend="{{job}} {{result}}"),
        panel("Slowest scrape by job", "timeseries",
              ['max by (job) (scrape_duration_seconds{job=~"kubelet|kube-state-metrics"})'], 0, 12, unit="s",
              legend="{{job}}"),
        panel("Series served on /metrics", "timeseries", [f"stackbridge_exposition_series{{{instance}}}"], 12, 12,
              legend="{{instance}}"),
        panel("Topology components and relations", "timeseries",
              [f"stackbridge_topology_components{{{instance}}}", f"stackbridge_topology_relations{{{instance}}}"],
              0, 20, legend=["components {{instance}}", "relations {{instance}}"]),
        panel("Topology sync: seconds since the API server was heard", "timeseries",
              [f"time() - min by (instance, resource) (stackbridge_k8s_last_contact_timestamp_seconds{{{instance}}})"],
              12, 20, unit="s", legend="{{resource}}"),
        panel("Topology build time", "timeseries", [f"stackbridge_topology_build_duration_seconds{{{instance}}}"],
              0, 28, unit="s", legend="{{instance}}"),
        panel("Kubernetes objects", "timeseries", [f"stackbridge_k8s_objects{{{instance}}}"], 12, 28,
              legend="{{resource}}"),
        panel("Remote write: samples sent, retried, failed, dropped", "timeseries",
              [f"sum by (url) (rate(stackbridge_remote_write_samples_sent_total{{{instance}}}[{RATE}]))",
               f"sum by (url) (rate(stackbridge_remote_write_samples_retried_total{{{instance}}}[{RATE}]))",
               f"sum by (url) (rate(stackbridge_remote_write_samples_failed_total{{{instance}}}[{RATE}]))",
               f"sum by (url) (rate(stackbridge_remote_write_samples_dropped_total{{{instance}}}[{RATE}]))"], 0, 36,
              unit="ops", legend=["sent {{url}}", "retried {{url}}", "failed {{url}}", "dropped {{url}}"]),
        panel("Remote write: queue and spool", "timeseries",
              [f"stackbridge_remote_write_pending_samples{{{instance}}}",
               f"stackbridge_remote_write_spool_bytes{{{instance}}}"], 12, 36,
              legend=["pending samples {{url}}", "spool bytes {{url}}"]),
        panel("Remote write: seconds behind", "timeseries",
              [f"time() - stackbridge_remote_write_highest_sent_timestamp_seconds{{{instance}}}"], 0, 44, unit="s",
              legend="{{url}}"),
        panel("StackState posts by kind and result", "timeseries",
              [f"sum by (kind, result) (rate(stackbridge_stackstate_posts_total{{{instance}}}[{RATE}]))"], 12, 44,
              unit="ops", legend="{{kind}} {{result}}"),
        panel("StackState retry queue", "timeseries",
              [f"stackbridge_stackstate_queue_bytes{{{instance}}}", f"stackbridge_stackstate_queue_posts{{{instance}}}"],
              0, 52, legend=["bytes {{instance}}", "posts {{instance}}"]),
        panel("StackState: seconds since the last accepted post", "timeseries",
              [f"time() - stackbridge_stackstate_last_success_timestamp_seconds{{{instance}}}"], 12, 52, unit="s",
              legend="{{instance}}"),
    ]
    variables = [
        datasource_variable(),
        query_variable("cluster", "Cluster", "label_values(stackbridge_build_info, cluster)"),
        query_variable("instance", "Instance", f"label_values(stackbridge_build_info{{{CLUSTER}}}, instance)", True,
                       True),
    ]
    return dashboard("stackbridge-health", "stackbridge / Bridge health",
                     "stackbridge itself: targets, scrapes, topology sync, remote-write queue and spool, StackState forwarding.",
                     variables, panels)


if __name__ == "__main__":
    for name, board in [("cluster-overview", cluster_overview()), ("workload", workload()),
                        ("bridge-health", bridge_health())]:
        with open(os.path.join("dashboards", f"{name}.json"), "w") as out:
            json.dump(board, out, indent=2, sort_keys=True)
            out.write("\n")
