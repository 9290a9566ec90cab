import ArgumentParser
import BridgeApp
import BridgeCore
import Logging

/// `--log-level` and `--log-format`, as Prometheus names them (`--log.level`, `--log.format`):
/// checked like the file's keys (exit 2, one line), then installed for every logger.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (any case).")
    var logLevel: String?

    @Option(help: "Log line format: logfmt or json.")
    var logFormat = "logfmt"

    /// The levels `--log-level` takes, as swift-log names them (in any case).
    static func level(_ text: String) -> Logger.Level? { Logger.Level(rawValue: text.lowercased()) }

    private func parsedLevel(default defaultLevel: Logger.Level) throws -> Logger.Level {
        guard let logLevel else { return defaultLevel }
        guard let level = Self.level(logLevel) else {
            throw ConfigurationError(
                path: "--log-level", value: logLevel,
                expected: "one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return level
    }

    private func parsedFormat() throws -> LogLineHandler.Format {
        guard let format = LogLineHandler.Format(rawValue: logFormat.lowercased()) else {
            throw ConfigurationError(
                path: "--log-format", value: logFormat,
                expected: "one of \(LogLineHandler.Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return format
    }

    /// Checks the flags and installs the handler; `defaultLevel` applies without `--log-level`.
    func bootstrap(defaultLevel: Logger.Level) throws -> Logger.Level {
        let level = try ConfigurationFailure.guarding { try parsedLevel(default: defaultLevel) }
        let format = try ConfigurationFailure.guarding { try parsedFormat() }
        LoggingSystem.bootstrap { _ in LogLineHandler(format: format, level: level) }
        return level
    }
}
