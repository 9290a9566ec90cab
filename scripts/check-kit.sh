#!/bin/sh
# Checks the deployment kit (`make test` runs it): alert rules and their tests, the Alertmanager
# example, the generated PrometheusRule and dashboards against their sources, and every overlay
# rendered with kustomize and validated against the Kubernetes schemas of the oldest and newest
# versions kubernetes-validate knows. Usage: scripts/check-kit.sh PATH-TO-kubernetes-validate
set -eu
validate=$1
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

promtool check rules alerts/stackbridge.rules.yml
promtool test rules alerts/tests.yml
amtool check-config alerts/alertmanager.yml
# Every alert links to a runbook section of its own.
for alert in $(sed -n 's/^ *- alert: //p' alerts/stackbridge.rules.yml); do
	anchor=$(echo "$alert" | tr 'A-Z' 'a-z')
	grep -q "^## $alert\$" docs/runbooks.md || { echo "docs/runbooks.md has no section $alert" >&2; exit 1; }
	grep -q "runbook_url: docs/runbooks.md#$anchor\$" alerts/stackbridge.rules.yml \
		|| { echo "$alert: runbook_url is not docs/runbooks.md#$anchor" >&2; exit 1; }
done

scripts/prometheusrule.sh > "$work/prometheusrule.yaml"
if ! diff -u deploy/overlays/prometheus-operator/prometheusrule.yaml "$work/prometheusrule.yaml"; then
	echo "deploy/overlays/prometheus-operator/prometheusrule.yaml is stale: run scripts/prometheusrule.sh > it" >&2
	exit 1
fi
mkdir "$work/dashboards"
(cd "$work" && python3 "$OLDPWD/scripts/dashboards.py")
if ! diff -ru dashboards "$work/dashboards"; then
	echo "dashboards/ is stale: run python3 scripts/dashboards.py" >&2
	exit 1
fi

# The NetworkPolicy opens exactly the ports docs/networking.md lists.
"$(dirname "$validate")/python" - deploy/base/networkpolicy.yaml docs/networking.md <<'PY'
import re, sys, yaml
policy = yaml.safe_load(open(sys.argv[1]))["spec"]
opened = {f'{p["port"]}/{p["protocol"]}' for rule in policy["ingress"] + policy["egress"] for p in rule["ports"]}
documented = set()
for line in open(sys.argv[2]):
    cells = [c.strip() for c in line.split("|")]
    if len(cells) > 4 and re.match(r"^(Inbound|Outbound)$", cells[3]):
        documented |= {f"{port}/{proto}" for port, proto in re.findall(r"(\d+)/(TCP|UDP)", cells[4])}
        if "53/UDP and 53/TCP" in cells[4]:
            documented.add("53/TCP")
assert opened == documented, f"NetworkPolicy opens {sorted(opened)}, docs/networking.md lists {sorted(documented)}"
print(f"networkpolicy: {len(opened)} ports, as docs/networking.md lists them")
PY

# The overlays read the API key from a git-ignored file; a copy of deploy/ gets a test key.
cp -r deploy "$work/deploy"
for overlay in "$work"/deploy/overlays/*/; do
	name=$(basename "$overlay")
	[ -f "$overlay/api-key" ] || printf 'test-key' > "$overlay/api-key"
	kubectl kustomize "$overlay" > "$work/$name.yaml"
	for version in 1.25.0 1.37.0; do
		if ! output=$("$validate" --strict --quiet -k "$version" "$work/$name.yaml" 2>&1); then
			echo "$output" >&2
			echo "deploy/overlays/$name does not validate against Kubernetes $version" >&2
			exit 1
		fi
		echo "$output" | grep -v "Couldn't find schema for kind \(ServiceMonitor\|PrometheusRule\) with api version monitoring.coreos.com/v1" || true
	done
	# The CRD kinds have no schema there: the PrometheusRule's groups go through promtool.
	"$(dirname "$validate")/python" - "$work/$name.yaml" "$work/$name-rules.yaml" <<'PY'
import sys, yaml
documents = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
rules = [d for d in documents if d["kind"] == "PrometheusRule"]
for monitor in (d for d in documents if d["kind"] == "ServiceMonitor"):
    paths = sorted(e["path"] for e in monitor["spec"]["endpoints"])
    assert paths == ["/metrics", "/telemetry"], paths
    assert all(e["honorLabels"] for e in monitor["spec"]["endpoints"]), "honorLabels"
if rules:
    yaml.safe_dump(rules[0]["spec"], open(sys.argv[2], "w"))
# Every ConfigMap, Secret and service account a pod names is in the render, in the pod's namespace
# (a generated name is rewritten only within one namespace; a pod naming a missing one never starts).
present = {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in documents}
for workload in (d for d in documents if d["kind"] in ("Deployment", "DaemonSet", "StatefulSet")):
    namespace, spec = workload["metadata"].get("namespace"), workload["spec"]["template"]["spec"]
    wanted = [("ServiceAccount", spec.get("serviceAccountName", "default"))] if "serviceAccountName" in spec else []
    for volume in spec.get("volumes", []):
        if "configMap" in volume: wanted.append(("ConfigMap", volume["configMap"]["name"]))
        if "secret" in volume: wanted.append(("Secret", volume["secret"]["secretName"]))
    for kind, name in wanted:
        assert (kind, namespace, name) in present, f'{workload["metadata"]["name"]} names {kind} {namespace}/{name}, which is not there'
PY
	if [ -f "$work/$name-rules.yaml" ]; then promtool check rules "$work/$name-rules.yaml"; fi
	echo "deploy/overlays/$name: $(grep -c '^kind:' "$work/$name.yaml") objects valid"
done
