# stackbridge developer entry points. Every target installs the Debian packages it needs first
# (`deps`), so a fresh clone on a fresh Debian machine with Swift needs nothing else.

SWIFT ?= swift
FUZZ_SECONDS ?= 60
BENCH_SERIES ?= 100000
BENCH_TARGETS ?= 200

# libcurl (with its headers) carries every outbound request. The tests use real peers: Prometheus
# (exposition captures, promtool), node_exporter, Python's http.server with TLS (fixture server),
# openssl (certificates made at test time), zstd (compressed bodies), tinyproxy (CONNECT proxy);
# kubectl (a real client against stackbridge-sim); the scrape benchmark serves its targets with nginx.
# The deployment kit's checks use promtool, amtool (prometheus-alertmanager) and kubectl's kustomize,
# and kubernetes-validate from PyPI in a virtual environment (python3-venv). libzstd compresses the
# process agent's messages; iproute2, iptables and conntrack build the network namespaces of the
# process-connection end-to-end test (run as root).
DEB_PACKAGES := libre2-dev prometheus prometheus-node-exporter prometheus-alertmanager victoria-metrics libcurl4-openssl-dev zlib1g-dev libsnappy-dev libprotobuf-c-dev libzstd-dev iproute2 iptables conntrack python3 python3-venv openssl zstd tinyproxy-bin nginx-light kubectl wrk curl time

# kubernetes-validate (Kubernetes JSON schemas, 1.25 to 1.37) for `check-kit`, pinned.
KUBERNETES_VALIDATE_VERSION := 1.37.0
VENV := .build/kit-venv

# How long `make demo` runs; 0 runs until interrupted.
DEMO_SECONDS ?= 60

.PHONY: all deps build test lint check-kit fuzz bench bench-peers bench-scale demo clean

all: build

deps:
	@missing=""; \
	for package in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		else \
			echo "stackbridge needs these Debian packages:$$missing" >&2; \
			echo "install them with: sudo apt-get install -y$$missing" >&2; \
			exit 1; \
		fi; \
	fi

build: deps
	$(SWIFT) build

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests bench

# The end-to-end suites run the built binaries with Prometheus and wrk at full load; they run
# after the rest, so that their load does not starve the timing of the unit and peer tests.
END_TO_END := EndToEndTests|CommandLineTests

$(VENV)/bin/kubernetes-validate:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check kubernetes-validate==$(KUBERNETES_VALIDATE_VERSION)

# deploy/, alerts/ and dashboards/: rendered, validated, tested (scripts/check-kit.sh). The
# dashboards' and alerts' queries run against a real Prometheus in DeployKitEndToEndTests.
check-kit: deps $(VENV)/bin/kubernetes-validate
	scripts/check-kit.sh $(VENV)/bin/kubernetes-validate

test: deps lint check-kit
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(END_TO_END)'
	$(SWIFT) test --skip-build --filter '$(END_TO_END)'
	$(SWIFT) run --skip-build stackbridge-fuzz-parser Tests/Fuzz/corpus/*
	$(SWIFT) run --skip-build stackbridge-scale-bench $(SCALE_BENCH_CI_ARGS)

# Builds the parser fuzzer with libFuzzer and AddressSanitizer and runs it for FUZZ_SECONDS,
# starting from the committed corpus. Crashes land in fuzz-artifacts/.
fuzz: deps
	$(SWIFT) build -c release --product stackbridge-fuzz-parser --scratch-path .build-fuzz \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
	mkdir -p fuzz-artifacts .build-fuzz/corpus
	cp -n Tests/Fuzz/corpus/* .build-fuzz/corpus/ 2>/dev/null || true
	.build-fuzz/release/stackbridge-fuzz-parser -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-artifact_prefix=fuzz-artifacts/ -print_final_stats=1 .build-fuzz/corpus

bench: deps
	$(SWIFT) build -c release --product stackbridge-bench
	$(SWIFT) build -c release --product stackbridge-scrape-bench
	.build/release/stackbridge-bench $(BENCH_SERIES)
	.build/release/stackbridge-scrape-bench $(BENCH_TARGETS) 5
	$(SWIFT) build -c release --product stackbridge-sim
	$(SWIFT) build -c release --product stackbridge-topology-bench
	.build/release/stackbridge-topology-bench 5000 30
	$(SWIFT) build -c release --product stackbridge
	$(SWIFT) build -c release --product stackbridge-serve-bench
	.build/release/stackbridge-serve-bench 100 48 10
	$(SWIFT) build -c release --product stackbridge-processes-bench
	.build/release/stackbridge-processes-bench 1000 50000 5

# stackbridge at Kubernetes' ceiling (docs/install.md, "Large clusters"): NODES PODS_PER_NODE
# AGENTS CHURN. `make test` runs it at a tenth of the size on the debug build, for its checks (an
# agent's requests and memory do not grow with the cluster, no consistent pod list, a complete
# snapshot in posts of at most 10,000 elements, the leader keeps up with churn), not its timings.
SCALE_BENCH_ARGS ?= 5000 30 20 5
SCALE_BENCH_CI_ARGS ?= 500 30 20 5

bench-scale: deps
	$(SWIFT) build -c release --product stackbridge-sim
	$(SWIFT) build -c release --product stackbridge
	$(SWIFT) build -c release --product stackbridge-scale-bench
	.build/release/stackbridge-scale-bench $(SCALE_BENCH_ARGS)

# stackbridge next to vmagent and Prometheus agent mode on the same simulated cluster
# (docs/performance.md): NODES PODS_PER_NODE SECONDS INTERVAL SCALES.
PEERS_BENCH_ARGS ?= 10 110 45 10 1,3,10

bench-peers: deps
	$(SWIFT) build -c release --product stackbridge-sim
	$(SWIFT) build -c release --product stackbridge
	$(SWIFT) build -c release --product stackbridge-peers-bench
	.build/release/stackbridge-peers-bench $(PEERS_BENCH_ARGS)

demo: deps
	$(SWIFT) build --product stackbridge
	.build/debug/stackbridge demo --duration $(DEMO_SECONDS)

clean:
	rm -rf .build .build-fuzz fuzz-artifacts
