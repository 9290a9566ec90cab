import Foundation

/// The built `stackbridge-sim` started on a free 127.0.0.1 port; stopped with SIGKILL.
public final class SimulatorProcess: @unchecked Sendable {
    private let process = Process()
    /// `http://127.0.0.1:PORT`.
    public let url: String
    /// The line the simulator printed when it started (`… (N nodes, M pods)`).
    public let banner: String

    /// Starts the simulator with `arguments` (after `--listen`) and waits for its listening line.
    public init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: PeerProcess.builtProduct("stackbridge-sim"))
        process.arguments = ["--listen", "127.0.0.1:0"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = PeerProcess.readLine(output.fileHandleForReading)
        guard let start = text.range(of: "http://"), let end = text[start.lowerBound...].firstIndex(of: " ") else {
            PeerProcess.kill(process)
            throw PeerError("stackbridge-sim did not start: \(text)")
        }
        url = String(text[start.lowerBound..<end])
        banner = text
    }

    /// The number of pods the simulator announced.
    public var pods: Int {
        let words = banner.split(separator: " ")
        guard let index = words.firstIndex(where: { $0.hasPrefix("pods") }), index > 0 else { return 0 }
        return Int(words[index - 1]) ?? 0
    }

    deinit {
        stop()
    }

    /// Stops the simulator.
    public func stop() {
        PeerProcess.kill(process)
    }
}
