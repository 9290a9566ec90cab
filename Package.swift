// swift-tools-version: 6.2
//
// stackbridge: scrape kubelet and kube-state-metrics, join the cluster topology, serve and forward.
// The target layout follows ../shared/DESIGN.md; later issues add the I/O targets.

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
        .library(name: "BridgeCore", targets: ["BridgeCore"]),
        .library(name: "BridgeHTTP", targets: ["BridgeHTTP"]),
        .library(name: "BridgeScrape", targets: ["BridgeScrape"]),
        .library(name: "BridgeTopology", targets: ["BridgeTopology"]),
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
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"])]),
        // protoc-c output for the remote-write messages (scripts/generate-protos.sh), committed.
        .target(name: "CPrompb", linkerSettings: [.linkedLibrary("protobuf-c")]),
        .target(
            name: "BridgeStackState",
            dependencies: [
                "BridgeCore", "BridgeHTTP", "BridgeTopology", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "BridgeRemoteWrite",
            dependencies: [
                "BridgeCore", "BridgeHTTP", "CSnappy", .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "BridgeApp",
            dependencies: [
                "BridgeCore", "BridgeHTTP", "BridgeTopology", "BridgeKubernetes", "BridgeScrape", "BridgeServer",
                "BridgeRemoteWrite", "BridgeStackState",
                .product(name: "Yams", package: "Yams"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
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
        // RE2 behind a C interface: the regex engine Go's regexp (and so Prometheus) derives from.
        .target(name: "CRE2", linkerSettings: [.linkedLibrary("re2")]),
        .target(name: "BridgeCore", dependencies: ["CRE2"], swiftSettings: strict),
        .target(name: "BridgeHTTP", dependencies: ["CCurl", "CZlib"], swiftSettings: strict),
        .target(name: "BridgeTopology", dependencies: ["BridgeCore"], swiftSettings: strict),
        // The simulated cluster behind stackbridge-sim and `stackbridge demo` (pure: objects and bodies).
        .target(name: "BridgeSimulator", dependencies: ["BridgeCore", "BridgeTopology"], swiftSettings: strict),
        .target(
            name: "BridgeKubernetes",
            dependencies: [
                "BridgeCore", "BridgeTopology", "BridgeHTTP", .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "BridgeScrape",
            dependencies: [
                "BridgeCore",
                "BridgeHTTP",
                "BridgeTopology",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(name: "BridgeTestSupport", dependencies: ["BridgeCore"], swiftSettings: strict),
        // Real peers for tests only: processes on 127.0.0.1, certificates, a proxy.
        .target(
            name: "BridgeTestPeers",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            resources: [.copy("fixture_server.py"), .copy("fake_apiserver.py")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "stackbridge",
            dependencies: [
                "BridgeApp", "BridgeCore", "BridgeSimulator", "BridgeSimulatorServer", "BridgeTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The libFuzzer entry point. `make fuzz` builds it with -sanitize=fuzzer; a plain build
        // gives a replay tool that feeds files through the same entry point.
        .executableTarget(
            name: "stackbridge-fuzz-parser",
            dependencies: ["BridgeCore"],
            swiftSettings: strict
        ),
        // One GET through BridgeHTTP from the command line; tests run it under a chosen environment.
        .executableTarget(name: "stackbridge-http-probe", dependencies: ["BridgeHTTP"], swiftSettings: strict),
        // The simulator's HTTP routes, shared by stackbridge-sim and the in-process `stackbridge demo`.
        .target(
            name: "BridgeSimulatorServer",
            dependencies: [
                "BridgeSimulator", "BridgeHTTP", "BridgeTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "stackbridge-sim",
            dependencies: [
                "BridgeSimulator", "BridgeSimulatorServer", "BridgeTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
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
            name: "BridgeSimulatorTests",
            dependencies: ["BridgeSimulator", "BridgeTopology", "BridgeCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BridgeTopologyTests",
            dependencies: ["BridgeTopology", .product(name: "PropertyBased", package: "swift-property-based")],
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
