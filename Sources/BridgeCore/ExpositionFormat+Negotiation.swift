extension ExpositionFormat {
    /// Picks the response format for a scrape from its `Accept` header.
    ///
    /// The highest-weighted media range this writer can serve wins, the earlier one on a tie:
    /// `application/openmetrics-text` with `version=1.0.0` or no version gives OpenMetrics;
    /// `text/plain` with `version=0.0.4` or no version, `text/*` and `*/*` give text 0.0.4.
    /// Ranges with `q=0` are refused, unknown versions (OpenMetrics 0.0.1, text 1.0.0) are skipped,
    /// and text 0.0.4 is the answer when nothing else fits, as the Prometheus content-negotiation
    /// guide asks of targets. Prometheus 2.42 thus gets OpenMetrics (its first choice, q=1) and
    /// 3.x gets OpenMetrics too (its `openmetrics 1.0.0;escaping=allow-utf-8;q=0.5` outranks text).
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept else { return .text }
        var best: (format: ExpositionFormat, quality: Double)?
        for range in accept.split(separator: ",") {
            guard let (format, quality) = candidate(range), quality > 0 else { continue }
            if best == nil || quality > best!.quality { best = (format, quality) }
        }
        return best?.format ?? .text
    }

    private static func candidate(_ range: Substring) -> (ExpositionFormat, Double)? {
        let parts = range.split(separator: ";")
        guard let mediaType = parts.first?.trimmingASCIIWhitespace().lowercased() else { return nil }
        var version: String?
        var quality = 1.0
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = pair[0].trimmingASCIIWhitespace().lowercased()
            let value = pair[1].trimmingASCIIWhitespace().trimmingCharacters(in: "\"")
            switch key {
            case "q": quality = Double(value).map { min(max($0, 0), 1) } ?? 0
            case "version": version = String(value)
            default: continue
            }
        }
        switch mediaType {
        case "application/openmetrics-text":
            return version == nil || version == "1.0.0" ? (.openMetrics, quality) : nil
        case "text/plain":
            return version == nil || version == "0.0.4" ? (.text, quality) : nil
        case "text/*", "*/*":
            return (.text, quality)
        default:
            return nil
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in character: Character) -> Substring {
        var slice = self
        while slice.first == character { slice.removeFirst() }
        while slice.last == character { slice.removeLast() }
        return slice
    }
}
