/// Recognises sample lines whose series text (name and labels, as writers spell them) is one the
/// caller parsed before, so that ``ExpositionParser/next(matching:)`` lexes only their value and
/// timestamp. Steady scrapes repeat their series line for line; Prometheus' scrape cache skips
/// the label parse for them the same way, keyed on the raw series text.
protocol KnownSeriesMatcher {
    /// The length of the known series text `line` starts with, or nil when it starts with none.
    /// A yes must be exact: the line is then taken to carry that series without further checks.
    mutating func knownSeriesLength(in line: UnsafeRawBufferPointer) -> Int?
}

/// The matcher that knows no series: every line is parsed in full.
struct NoKnownSeries: KnownSeriesMatcher {
    func knownSeriesLength(in line: UnsafeRawBufferPointer) -> Int? { nil }
}
