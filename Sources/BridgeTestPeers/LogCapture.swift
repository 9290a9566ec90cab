import Logging
import Synchronization

/// Collects log records so tests can check what an operator would read.
public final class LogCapture: Sendable {
    /// One log record.
    public struct Record: Sendable {
        /// The level.
        public let level: Logger.Level
        /// The constant message.
        public let message: String
        /// The metadata, rendered.
        public let metadata: [String: String]
    }

    private let storage = Mutex<[Record]>([])

    /// An empty capture.
    public init() {}

    /// Every record so far.
    public var records: [Record] { storage.withLock { $0 } }

    /// A logger at debug level that writes here.
    public func logger() -> Logger {
        var logger = Logger(label: "test") { _ in Handler(capture: self) }
        logger.logLevel = .debug
        return logger
    }

    fileprivate func append(_ record: Record) {
        storage.withLock { $0.append(record) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(
                Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}
