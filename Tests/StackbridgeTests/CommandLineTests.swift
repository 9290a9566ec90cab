import BridgeCore
import BridgeTestPeers
import BridgeTestSupport
import Foundation
import Testing

/// The built `stackbridge` binary, run as a user would run it.
@Suite struct CommandLineTests {
    static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> (
        status: Int32, output: String
    ) {
        try PeerProcess.run(PeerProcess.builtProduct("stackbridge"), arguments, environment: environment)
    }

    /// A temporary file holding `text`.
    static func temporaryFile(_ text: String, _ suffix: String = ".yaml") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-\(UUID())\(suffix)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// An environment outside any cluster, with `KUBECONFIG` set when given.
    static func environment(kubeconfig: String?) -> [String: String] {
        var environment = ["HOME": NSTemporaryDirectory(), "PATH": "/usr/bin:/bin"]
        environment["KUBECONFIG"] = kubeconfig
        return environment
    }

    /// A kubeconfig whose user authenticates with an `exec` plugin, which the bridge refuses.
    static let execKubeconfig = """
        apiVersion: v1
        kind: Config
        current-context: c
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}}]
        users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}}}]
        contexts: [{name: c, context: {cluster: c, user: u}}]
        """

    /// `config validate` refuses what `run` refuses before connecting, with the same line and
    /// exit status: an empty file (no cluster name outside a cluster), a missing kubeconfig, a
    /// kubeconfig with an exec plugin, a missing StackState API key, a missing web configuration.
    @Test func configValidateRefusesWhatRunRefusesWithTheSameMessage() throws {
        let kubeconfig = try Self.temporaryFile(
            Self.execKubeconfig.replacingOccurrences(
                of: "{exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}}", with: "{token: t}"))
        let execConfig = try Self.temporaryFile(Self.execKubeconfig)
        defer { for file in [kubeconfig, execConfig] { try? FileManager.default.removeItem(atPath: file) } }
        let cases: [(name: String, yaml: String, kubeconfig: String?, expected: String)] = [
            ("empty file", "", kubeconfig, "cluster_name: invalid value \"\" (expected the cluster's name"),
            (
                "no kubeconfig", "cluster_name: c\n", "/nonexistent/kubeconfig",
                "/nonexistent/kubeconfig cannot be read: No such file or directory"
            ),
            ("exec plugin", "cluster_name: c\n", execConfig, "exec"),
            ("no API key", "cluster_name: c\nstackstate: {url: \"https://sts.example\"}\n", kubeconfig, "API key"),
            (
                "web config missing", "cluster_name: c\nserver: {web_config_file: /nonexistent/web.yml}\n", kubeconfig,
                "/nonexistent/web.yml cannot be read: No such file or directory"
            ),
        ]
        for (name, yaml, kubeconfigPath, expected) in cases {
            let file = try Self.temporaryFile(yaml)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let environment = Self.environment(kubeconfig: kubeconfigPath)
            let validate = try Self.run(["config", "validate", file], environment: environment)
            let run = try Self.run(["run", "--config", file, "--listen", "127.0.0.1:0"], environment: environment)
            #expect(validate.status == 2 && run.status == 2, "\(name): \(validate) \(run)")
            #expect(validate.output.contains(expected), "\(name): \(validate.output)")
            #expect(validate.output == run.output, "\(name): validate and run differ")
            #expect(!validate.output.contains("Usage"), "\(name)")
        }
        // The same file with a usable kubeconfig is valid for both (run is not started here).
        let good = try Self.temporaryFile("cluster_name: c\n")
        defer { try? FileManager.default.removeItem(atPath: good) }
        let valid = try Self.run(["config", "validate", good], environment: Self.environment(kubeconfig: kubeconfig))
        #expect(valid.status == 0, "\(valid.output)")
    }

    /// No command line crashes the binary: flags and listen addresses drawn from awkward values
    /// (empty, ports out of range, unbalanced brackets, non-ASCII, 5,000 characters, control
    /// bytes, repeated and unknown flags) end with a usage error (64), a configuration error (2)
    /// or success, never a signal or a Swift runtime trap. The configuration names no reachable
    /// API server, so a command line that is right still stops before serving.
    @Test func noCommandLineCrashesIt() throws {
        let config = try Self.temporaryFile("cluster_name: c\n")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let listens = [
            "", ":", "10057", "127.0.0.1:notaport", "127.0.0.1:", ":10057", "127.0.0.1:65536", "127.0.0.1:-1",
            "[::1]:10057", "[::1", "::1:10057", "[]:1", "a:b:c", "🙂:80", "0.0.0.0:0",
            String(repeating: "9", count: 5000),
            "host\u{0}name:1", "127.0.0.1:99999999999999999999", " 127.0.0.1:1", "[::1]:", "http://127.0.0.1:1",
        ]
        let levels = ["DEBUG", "bogus", "", "Warning", "trace", "\u{1B}[31m", "info info"]
        let formats = ["json", "JSON", "xml", "", "logfmt"]
        let subcommands: [[String]] = [
            ["run", "--config", config], ["check", "--config", config], ["config", "validate", config],
        ]
        var generator = SplitMix64(seed: 20_261_204)
        var seen: Set<Int32> = []
        for round in 0..<30 {
            var arguments = subcommands[round % subcommands.count]
            if arguments[0] == "run" {
                arguments += ["--listen", listens.randomElement(using: &generator)!]
                if Bool.random(using: &generator) {
                    arguments += ["--log-level", levels.randomElement(using: &generator)!]
                }
                if Bool.random(using: &generator) {
                    arguments += ["--log-format", formats.randomElement(using: &generator)!]
                }
            }
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: arguments.append("--no-such-flag")
            case 1: arguments.append("--listen")  // a flag without its value
            case 2: arguments += arguments  // everything twice
            default: break
            }
            let (status, output) = try Self.run(arguments, environment: Self.environment(kubeconfig: nil))
            seen.insert(status)
            #expect(
                [0, 1, 2, 64].contains(status), "\(arguments.map(\.debugDescription)): status \(status)\n\(output)")
            for trap in ["Fatal error", "Stack dump", "backtrace", "Illegal instruction", "Segmentation fault"] {
                #expect(!output.contains(trap), "\(arguments.map(\.debugDescription)): \(output)")
            }
        }
        #expect(seen.contains(2) && seen.contains(64), "\(seen)")
    }

    @Test func versionPrintsTheVersion() throws {
        let (status, output) = try Self.run(["version"])
        #expect(status == 0)
        #expect(output.hasPrefix("stackbridge 0."))
    }

    @Test func helpListsTheSubcommands() throws {
        let (status, output) = try Self.run(["--help"])
        #expect(status == 0)
        #expect(output.contains("version"))
        #expect(output.contains("demo"))
    }

    @Test func unknownSubcommandFailsWithAMessage() throws {
        let (status, output) = try Self.run(["frobnicate"])
        #expect(status != 0)
        #expect(output.contains("frobnicate"))
    }

    @Test func demoRunsThePipelineAndBecomesReady() throws {
        let port = try PeerProcess.freePort()
        let (status, output) = try Self.run([
            "demo", "--nodes", "2", "--pods-per-node", "6", "--interval", "1s", "--duration", "12", "--listen",
            "127.0.0.1:\(port)",
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains("http://127.0.0.1:\(port)/metrics"))
        #expect(output.contains("kubectl --server http://127.0.0.1:"))
        // The live summary line reports readiness, scrapes and series once the first round is in.
        let ready = output.split(separator: "\n").filter { $0.hasPrefix("[ready]") }
        #expect(!ready.isEmpty, "\(output)")
        #expect(ready.last?.contains("targets 9,") == true, "\(output)")
        // The simulated StackState receiver got a complete, valid snapshot of the topology.
        #expect(ready.last?.contains("StackState got 0 snapshots") == false, "\(output)")
        #expect(ready.last?.contains("StackState got") == true, "\(output)")
    }

    @Test func checkExitsNonZeroOnAFailureAndWritesJSON() throws {
        let simulator = try SimulatorProcess(["--nodes", "1", "--pods-per-node", "2", "--receiver-api-key", "cli-key"])
        defer { simulator.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, key: String) throws -> String {
            try "\(key)\n".write(to: directory.appendingPathComponent(name + ".key"), atomically: true, encoding: .utf8)
            let file = directory.appendingPathComponent(name + ".yaml")
            try """
            cluster_name: c
            kubernetes: {api_server: '\(simulator.url)'}
            scrape: {kube_state_metrics: {urls: ['\(simulator.url)/ksm/metrics']}}
            stackstate: {url: '\(simulator.url)/receiver/stsAgent', api_key_file: '\(directory.path)/\(name).key'}
            """.write(to: file, atomically: true, encoding: .utf8)
            return file.path
        }
        let (good, table) = try Self.run(["check", "--config", try write("good", key: "cli-key")])
        #expect(good == 0, "\(table)")
        #expect(table.contains("4 endpoints checked, 0 failed"))
        let (bad, json) = try Self.run(["check", "--config", try write("bad", key: "not-the-key"), "--output", "json"])
        #expect(bad == 1, "\(json)")
        let results = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        let failed = results.filter { $0["ok"] as? Bool == false }
        #expect(failed.map { $0["name"] as? String } == ["stackstate receiver"])
        #expect((failed.first?["hint"] as? String)?.contains("API key") == true)
        #expect(!json.contains("not-the-key"))
    }

    @Test func configDefaultIsValidAndValidateNamesTheProblem() throws {
        let (status, yaml) = try Self.run(["config", "default"])
        #expect(status == 0)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-\(UUID()).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let kubeconfig = try Self.temporaryFile(
            Self.execKubeconfig.replacingOccurrences(
                of: "{exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}}", with: "{token: t}"))
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        let (validStatus, validOutput) = try Self.run(
            ["config", "validate", file.path], environment: Self.environment(kubeconfig: kubeconfig))
        #expect(validStatus == 0, "\(validOutput)")
        #expect(validOutput.contains("valid"))
        try (yaml + "scrape_interval: 5s\n").write(to: file, atomically: true, encoding: .utf8)
        let (badStatus, badOutput) = try Self.run(["config", "validate", file.path])
        // One line naming the file and key, exit status 2, and no usage text: the command was right.
        #expect(badStatus == 2)
        #expect(badOutput.contains("\(file.path): scrape_interval: unknown key \"scrape_interval\""), "\(badOutput)")
        #expect(!badOutput.contains("Usage") && !badOutput.contains("--help"), "\(badOutput)")
        for command in [["run", "--config", file.path], ["check", "--config", file.path]] {
            let (status, output) = try Self.run(command)
            #expect(status == 2, "\(command): \(output)")
            #expect(output.contains("scrape_interval: unknown key"), "\(output)")
            #expect(!output.contains("Usage"), "\(output)")
        }
    }

    /// Bad flags are configuration errors like bad keys: one line naming the flag, exit 2, no
    /// usage text, and no crash (`--listen 10057` used to stop on a force unwrap).
    @Test(arguments: [
        (["--listen", "10057"], #"--listen: invalid value "10057" (expected HOST:PORT"#),
        (["--listen", "127.0.0.1:notaport"], #"--listen: invalid value "127.0.0.1:notaport""#),
        (["--log-level", "bogus"], #"--log-level: invalid value "bogus" (expected one of trace, debug, info"#),
    ])
    func badFlagsAreNamedWithoutACrash(_ flags: [String], _ message: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("flags-\(UUID()).yaml")
        try "cluster_name: flags\nkubernetes: {api_server: 'http://127.0.0.1:1'}\n".write(
            to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, output) = try Self.run(["run", "--config", file.path] + flags)
        #expect(status == 2, "\(output)")
        #expect(output.contains(message), "\(output)")
        #expect(!output.contains("Usage") && !output.contains("Fatal error"), "\(output)")
    }

    @Test func debugLogsNeverShowCredentials() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-secrets-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = directory.appendingPathComponent("password").path
        try "pw-in-a-file-4711\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("config.yaml").path
        try """
        cluster_name: secrets
        kubernetes:
          api_server: "http://127.0.0.1:\(try PeerProcess.freePort())"
          authorization: {credentials: api-credential-in-the-file-4711}
        scrape:
          interval: 1s
          timeout: 1s
          static_targets:
            - job: guarded
              url: "http://127.0.0.1:\(try PeerProcess.freePort())/metrics?token=token-in-a-url-4711"
              basic_auth: {username: scraper, password_file: \(passwordFile)}
        remote_write:
          - url: "http://user:password-in-a-url-4711@127.0.0.1:\(try PeerProcess.freePort())/api/v1/write"
          - url: "http://127.0.0.1:\(try PeerProcess.freePort())/api/v1/write"
            authorization: {type: Token, credentials: rw-credential-in-the-file-4711}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["STS_API_KEY"] = "api-key-in-the-environment-4711"
        let (_, output) = try PeerProcess.run(
            "/usr/bin/timeout",
            [
                "5", PeerProcess.builtProduct("stackbridge"), "run", "--config", config, "--listen",
                "127.0.0.1:\(try PeerProcess.freePort())", "--log-level", "trace",
            ],
            environment: environment)
        // The run logged plenty (services starting, watches and scrapes failing) ...
        #expect(output.contains("ServiceLifecycle") || output.contains("k8s request failed"), "\(output.prefix(2000))")
        // ... and none of the secrets.
        for secret in [
            "pw-in-a-file-4711", "token-in-a-url-4711", "password-in-a-url-4711", "api-key-in-the-environment-4711",
            "api-credential-in-the-file-4711", "rw-credential-in-the-file-4711",
        ] {
            #expect(!output.contains(secret), "\(secret) appeared in the logs")
        }
    }
}
