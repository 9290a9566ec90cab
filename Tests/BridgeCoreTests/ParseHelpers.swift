import BridgeCore

/// Parses `text` in `format` and returns the families and the issues.
func parse(_ text: String, _ format: ExpositionFormat = .text) -> (families: [MetricFamilyValue], issues: ParseIssues) {
    var issues = ParseIssues()
    let batch = MetricBatch.parse(Array(text.utf8), format: format, issues: &issues)
    return (batch.familyValues, issues)
}

/// Parses `text` and writes it back in `output` (default: the same format).
func rewrite(_ text: String, _ format: ExpositionFormat = .text, as output: ExpositionFormat? = nil) -> String {
    var issues = ParseIssues()
    let batch = MetricBatch.parse(Array(text.utf8), format: format, issues: &issues)
    return ExpositionWriter(format: output ?? format).string(batch)
}

/// A sample value with labels given as `(name, value)` tuples.
func sample(
    _ name: String,
    _ labels: [(String, String)] = [],
    _ value: Double,
    timestamp: Int64? = nil,
    exemplar: ExemplarValue? = nil
) -> MetricSampleValue {
    MetricSampleValue(
        name: name,
        labels: labels.map { LabelPair($0.0, $0.1) },
        value: value,
        timestamp: timestamp,
        exemplar: exemplar
    )
}
