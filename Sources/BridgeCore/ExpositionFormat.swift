/// A text exposition format that stackbridge reads and writes.
public enum ExpositionFormat: String, Sendable, CaseIterable, Hashable {
    /// Prometheus text format 0.0.4.
    case text
    /// OpenMetrics 1.0.0 text.
    case openMetrics

    /// The exact `Content-Type` a response in this format carries.
    ///
    /// client_golang's spelling for text (`expfmt.FmtText`) and the one OpenMetrics 1.0 requires.
    public var contentType: String {
        switch self {
        case .text: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// The format a scraped body is in, from the response's `Content-Type`; text when unknown,
    /// as Prometheus 2.x falls back to it.
    public init(contentType: String?) {
        guard let contentType else {
            self = .text
            return
        }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        let trimmed = mediaType.trimmingASCIIWhitespace().lowercased()
        self = trimmed == "application/openmetrics-text" ? .openMetrics : .text
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs.
    func trimmingASCIIWhitespace() -> Substring {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}
