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

    /// Starts the server; `tls` is (certificate, key), `clientCA` makes a client certificate mandatory,
    /// `tlsMax12` offers nothing newer than TLS 1.2, `redirectTo` is where `/moved/` points.
    public convenience init(
        tls: (cert: String, key: String)? = nil,
        clientCA: String? = nil,
        tlsMax12: Bool = false,
        redirectTo: String? = nil,
        tokenFile: String? = nil,
        toggleFile: String? = nil,
        seriesFile: String? = nil,
        endpointsJSON: String? = nil
    ) throws {
        var arguments = Self.arguments(
            tls: tls, clientCA: clientCA, tokenFile: tokenFile, toggleFile: toggleFile, seriesFile: seriesFile,
            endpointsJSON: endpointsJSON
        )
        if tlsMax12 { arguments += ["--tls-max", "1.2"] }
        if let redirectTo { arguments += ["--redirect-to", redirectTo] }
        try self.init(script: "fixture_server", arguments: arguments, secure: tls != nil)
    }

    /// Starts the fake Kubernetes API (`fake_apiserver.py`): pods with list, watch, bookmarks,
    /// 410 Gone and a forbidden resource.
    public static func fakeAPIServer() throws -> FixtureServer {
        try FixtureServer(script: "fake_apiserver", arguments: [], secure: false)
    }

    private static func arguments(
        tls: (cert: String, key: String)?,
        clientCA: String?,
        tokenFile: String?,
        toggleFile: String?,
        seriesFile: String?,
        endpointsJSON: String?
    ) -> [String] {
        var arguments: [String] = []
        if let tls { arguments += ["--tls", tls.cert, tls.key] }
        if let clientCA { arguments += ["--client-ca", clientCA] }
        if let tokenFile { arguments += ["--token-file", tokenFile] }
        if let toggleFile { arguments += ["--toggle-file", toggleFile] }
        if let seriesFile { arguments += ["--series-file", seriesFile] }
        if let endpointsJSON { arguments += ["--endpoints-json", endpointsJSON] }
        return arguments
    }

    private init(script name: String, arguments extra: [String], secure: Bool) throws {
        guard let script = Bundle.module.path(forResource: name, ofType: "py") else {
            throw PeerError("\(name).py is missing from the test bundle")
        }
        let arguments = [script] + extra
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = PeerProcess.readLine(output.fileHandleForReading)
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            throw PeerError("fixture server did not start: \(line)")
        }
        self.port = port
        baseURL = (secure ? "https" : "http") + "://127.0.0.1:\(port)"
    }

    deinit {
        stop()
    }

    /// Every request the server got, as `fixture_server.py`'s `/received` lists them.
    public func received() async throws -> String {
        String(decoding: try await PeerProcess.fetch(baseURL + "/received", accept: "*/*").0, as: UTF8.self)
    }

    /// Stops the server.
    public func stop() {
        PeerProcess.kill(process)
    }
}
