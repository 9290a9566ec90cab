import Foundation

/// The Python fixture server (`fixture_server.py`) started on a free 127.0.0.1 port.
///
/// It is a real HTTP/1.1 server from Python's standard library, optionally with TLS and a required
/// client certificate; see the script's header for its paths.
public final class FixtureServer: @unchecked Sendable {
    private let process = Process()
    /// The port it listens on.
    public let port: Int
    /// `http://127.0.0.1:PORT` or `https://…`.
    public let baseURL: String

    /// Starts the server; `tls` is (certificate, key), `clientCA` makes a client certificate mandatory.
    public init(
        tls: (cert: String, key: String)? = nil,
        clientCA: String? = nil,
        tokenFile: String? = nil,
        toggleFile: String? = nil,
        seriesFile: String? = nil,
        endpointsJSON: String? = nil
    ) throws {
        guard let script = Bundle.module.path(forResource: "fixture_server", ofType: "py") else {
            throw PeerError("fixture_server.py is missing from the test bundle")
        }
        var arguments = [script]
        if let tls { arguments += ["--tls", tls.cert, tls.key] }
        if let clientCA { arguments += ["--client-ca", clientCA] }
        if let tokenFile { arguments += ["--token-file", tokenFile] }
        if let toggleFile { arguments += ["--toggle-file", toggleFile] }
        if let seriesFile { arguments += ["--series-file", seriesFile] }
        if let endpointsJSON { arguments += ["--endpoints-json", endpointsJSON] }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = Self.readLine(output.fileHandleForReading)
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            throw PeerError("fixture server did not start: \(line)")
        }
        self.port = port
        baseURL = (tls == nil ? "http" : "https") + "://127.0.0.1:\(port)"
    }

    deinit {
        stop()
    }

    /// Stops the server.
    public func stop() {
        // SIGKILL: a child may inherit a signal mask that blocks SIGTERM from the test runner's
        // threads, and a test peer holds nothing worth a graceful shutdown.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private static func readLine(_ handle: FileHandle) -> String {
        var bytes: [UInt8] = []
        while let byte = try? handle.read(upToCount: 1), let first = byte.first, first != 0x0A {
            bytes.append(first)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
