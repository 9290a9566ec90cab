import Synchronization

/// The node collector's latest report, JSON-encoded, as `GET /api/v1/processes` serves it.
public final class ProcessReportCache: Sendable {
    private let body = Mutex<[UInt8]?>(nil)

    /// An empty cache: nothing collected yet.
    public init() {}

    /// Replaces the report.
    public func update(_ report: [UInt8]) {
        body.withLock { $0 = report }
    }

    /// The latest report; nil before the first walk ended.
    public var latest: [UInt8]? { body.withLock { $0 } }
}
