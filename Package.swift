// swift-tools-version: 6.2
//
// stackbridge: scrape kubelet and kube-state-metrics, join the cluster topology, serve and forward.
// The target layout follows ../shared/DESIGN.md; docs/architecture.md maps every target.

import PackageDescription

/// Settings for every target of ours: Swift 6 language mode and no warnings left behind.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "stackbridge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "stackbridge", targets: ["stackbridge"]),
        .executable(name: "stackbridge-sim", targets: ["stackbridge-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries and C code, each behind a module map or a C interface.
        // libcurl: every outbound request (BridgeHTTP).
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // zlib: gzip for /metrics and the StackState intake, gzip inflation of scrapes.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // libcrypt: bcrypt for the web configuration's basic auth.
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        // snappy: remote-write request bodies.
        .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"])]),
        // protoc-c output for the remote-write messages (scripts/generate-protos.sh), committed; tests decode with it.
        .target(name: "CPrompb", linkerSettings: [.linkedLibrary("protobuf-c")]),
        // RE2 behind a C interface: the regex engine Go's regexp (and so Prometheus) derives from.
        .target(name: "CRE2", linkerSettings: [.linkedLibrary("re2")]),
        // zstd, the compression of the process agent's messages.
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        // protoc-c output for the process agent's messages (scripts/generate-protos.sh), committed,
        // and a builder that owns their memory.
        .target(name: "CProcessAgent", linkerSettings: [.linkedLibrary("protobuf-c")]),
        // A ctnetlink dump of the conntrack table, for the NAT'd backends of process connections.
        .target(name: "CConntrack"),

        // Pure libraries: no I/O, no threads of their own.
        // The metric core: interning, batches, the exposition parser and writer, relabeling.
        .target(name: "BridgeCore", dependencies: ["CRE2"], swiftSettings: strict),
        // The Kubernetes object model, the topology, URNs, health, events and the enrichment join.
        .target(name: "BridgeTopology", dependencies: ["BridgeCore"], swiftSettings: strict),
        // The simulated cluster and StackState receiver behind stackbridge-sim and `stackbridge demo`.
        .target(
            name: "BridgeSimulator", dependencies: ["BridgeCore", "BridgeTopology", "CProcessAgent", "CZstd"],
            swiftSettings: strict),

        // I/O libraries, each one concern.
        // The libcurl transport: TLS, proxies, credentials, limits, classified errors, event loops.
        .target(name: "BridgeHTTP", dependencies: ["CCurl", "CZlib"], swiftSettings: strict),
        // The node collector: processes, TCP sockets and conntrack from the host's /proc and netlink.
        .target(name: "BridgeProcesses", dependencies: ["BridgeTopology", "CConntrack"], swiftSettings: strict),
        // List/watch of the Kubernetes API into the cluster store; leader election on a Lease.
        .target(
            name: "BridgeKubernetes",
            dependencies: [
                "BridgeCore", "BridgeTopology", "BridgeHTTP", .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Scrape targets, loops and the processing of each body.
        .target(
            name: "BridgeScrape",
            dependencies: [
                "BridgeCore", "BridgeHTTP", "BridgeTopology", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Remote write 1.0: encoding, sharded queues, the disk spool.
        .target(
            name: "BridgeRemoteWrite",
            dependencies: [
                "BridgeCore", "BridgeHTTP", "CSnappy", .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The StackState forwarder: intake payloads, series, the retry queue.
        .target(
            name: "BridgeStackState",
            dependencies: [
                "BridgeCore", "BridgeHTTP", "BridgeTopology", "CProcessAgent", "CZstd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The HTTP server: /metrics, /telemetry, probes, reload, /api/v1/topology.
        .target(
            name: "BridgeServer",
            dependencies: [
                "BridgeCore", "BridgeHTTP", "BridgeTopology", "CCrypt",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The simulator's HTTP routes, shared by stackbridge-sim and the in-process `stackbridge demo`.
        .target(
            name: "BridgeSimulatorServer",
            dependencies: [
                "BridgeSimulator", "BridgeHTTP", "BridgeRemoteWrite", "CPrompb",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),

        // The one composer: configuration, the services and their wiring.
        .target(
            name: "BridgeApp",
            dependencies: [
                "BridgeCore", "BridgeHTTP", "BridgeTopology", "BridgeKubernetes", "BridgeScrape", "BridgeServer",
                "BridgeRemoteWrite", "BridgeStackState", "BridgeProcesses",
                .product(name: "Yams", package: "Yams"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),

        // The programs.
        // The command line: run, demo, check, config, version.
        .executableTarget(
            name: "stackbridge",
            dependencies: [
                "BridgeApp", "BridgeCore", "BridgeProcesses", "BridgeSimulator", "BridgeSimulatorServer",
                "BridgeTopology",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The simulated cluster over HTTP.
        .executableTarget(
            name: "stackbridge-sim",
            dependencies: [
                "BridgeSimulator", "BridgeSimulatorServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // One GET through BridgeHTTP from the command line; tests run it under a chosen environment.
        .executableTarget(name: "stackbridge-http-probe", dependencies: ["BridgeHTTP"], swiftSettings: strict),
        // The libFuzzer entry point. `make fuzz` builds it with -sanitize=fuzzer; a plain build
        // gives a replay tool that feeds files through the same entry point.
        .executableTarget(name: "stackbridge-fuzz-parser", dependencies: ["BridgeCore"], swiftSettings: strict),

        // For tests and benchmarks only; no product links them.
        // Deterministic kubelet bodies and an exposition diff.
        .target(name: "BridgeTestSupport", dependencies: ["BridgeCore"], swiftSettings: strict),
        // Real peers: processes on 127.0.0.1, the fixture server, certificates, a proxy.
        .target(
            name: "BridgeTestPeers",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            resources: [.copy("fixture_server.py"), .copy("fake_apiserver.py")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "stackbridge-bench",
            dependencies: ["BridgeCore", "BridgeTestSupport"],
            path: "bench/ParseWriteBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "stackbridge-scrape-bench",
            dependencies: ["BridgeScrape", "BridgeHTTP", "BridgeTestPeers", "BridgeTestSupport"],
            path: "bench/ScrapeBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "stackbridge-serve-bench",
            dependencies: ["BridgeCore", "BridgeServer", "BridgeTestPeers"],
            path: "bench/ServeBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "stackbridge-peers-bench",
            dependencies: ["BridgeTestPeers"],
            path: "bench/PeersBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "stackbridge-processes-bench", dependencies: ["BridgeProcesses", "BridgeTopology"],
            path: "bench/ProcessesBench", swiftSettings: strict),
        // The bridge at Kubernetes' ceiling: node agents at two sizes, the topology leader under churn.
        .executableTarget(
            name: "stackbridge-scale-bench", dependencies: ["BridgeTestPeers"], path: "bench/ScaleBench",
            swiftSettings: strict),
        .executableTarget(
            name: "stackbridge-topology-bench",
            dependencies: [
                "BridgeKubernetes", "BridgeTopology", "BridgeHTTP", "BridgeTestPeers",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/TopologyBench",
            swiftSettings: strict
        ),
        .testTarget(
            name: "BridgeStackStateTests",
            dependencies: [
                "BridgeStackState", "BridgeSimulator", "BridgeTestSupport", "BridgeTopology", "BridgeHTTP",
                "BridgeTestPeers", "BridgeCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BridgeRemoteWriteTests",
            dependencies: [
                "BridgeRemoteWrite", "BridgeCore", "BridgeHTTP", "BridgeTestPeers", "CPrompb",
                .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BridgeServerTests",
            dependencies: [
                "BridgeServer", "BridgeCore", "BridgeTopology", "BridgeTestPeers",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BridgeAppTests",
            dependencies: [
                "BridgeApp", "BridgeCore", "BridgeKubernetes", "BridgeServer", "BridgeTestPeers", "BridgeTopology",
                "BridgeStackState",
                "BridgeHTTP", .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams"),
            ],
            // The configuration corpus is read from the source tree (UPDATE_GOLDEN=1 rewrites it there).
            exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(
            name: "BridgeCoreTests",
            dependencies: [
                "BridgeCore",
                "BridgeTestSupport",
                "BridgeTestPeers",
                .product(name: "Yams", package: "Yams"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BridgeHTTPTests",
            dependencies: ["BridgeHTTP", "BridgeTestPeers"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BridgeScrapeTests",
            dependencies: ["BridgeScrape", "BridgeTestPeers", "BridgeTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BridgeKubernetesTests",
            dependencies: [
                "BridgeKubernetes", "BridgeTestPeers", "BridgeTopology", "BridgeHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BridgeProcessesTests",
            dependencies: ["BridgeProcesses", "BridgeTopology", "BridgeTestPeers"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BridgeSimulatorTests",
            dependencies: ["BridgeSimulator", "BridgeTopology", "BridgeCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BridgeTopologyTests",
            dependencies: [
                "BridgeTopology", "BridgeTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        // Runs the built `stackbridge-sim` against kubectl, the watcher and the scraper.
        .testTarget(
            name: "SimulatorServerTests",
            dependencies: [
                "BridgeCore", "BridgeHTTP", "BridgeKubernetes", "BridgeScrape", "BridgeSimulator",
                "BridgeSimulatorServer", "BridgeTestPeers", "BridgeTopology",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Runs the built `stackbridge` binary; `swift build --build-tests` builds it alongside.
        .testTarget(
            name: "StackbridgeTests",
            dependencies: [
                "BridgeCore", "BridgeSimulator", "BridgeTestPeers", "BridgeTestSupport", "BridgeTopology",
                .product(name: "Yams", package: "Yams"),
            ],
            // The golden file is read from the source tree (UPDATE_GOLDEN=1 rewrites it there).
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
    ]
)
