#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A pull parser for Prometheus text 0.0.4 and OpenMetrics 1.0 expositions.
///
/// Call ``next()`` until it returns nil; after each entry the properties describe it. The parser
/// copies nothing: names, help texts and label values are ranges into the body.
///
/// **Buffer ownership.** The parser borrows `body`: the caller keeps the memory alive and unchanged
/// for as long as it calls ``next()`` and reads ranges, which is why the usual entry point is
/// ``MetricBatch/parse(_:format:symbols:issues:)``, which does so inside `withUnsafeBufferPointer`.
///
/// **Tolerance.** Like vmagent, a malformed line is skipped and recorded in ``issues`` with its line
/// number and reason; the rest of the body is parsed as usual.
public struct ExpositionParser {
    /// What the last call to ``next()`` found.
    public enum Entry: Sendable, Equatable {
        /// `# HELP`: ``name`` and ``text`` (escaped; see ``textHasEscapes``).
        case help
        /// `# TYPE`: ``name`` and ``type``.
        case type
        /// `# UNIT` (OpenMetrics): ``name`` and ``text``.
        case unit
        /// A sample: ``name``, ``labels``, ``value``, ``timestamp`` and maybe ``exemplar``.
        case sample
    }

    /// A label as ranges of the body; `value` excludes the quotes and is still escaped if `escaped`.
    public struct LabelToken: Sendable, Equatable {
        /// The label name.
        public var name: Range<Int>
        /// The raw label value between its quotes.
        public var value: Range<Int>
        /// Whether the raw value contains a backslash escape.
        public var escaped: Bool
    }

    /// A line that cannot be used, with the reason; thrown inside, recorded as a ``ParseIssue``.
    struct LineError: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The format being parsed.
    public let format: ExpositionFormat
    /// The body, borrowed (see the type's documentation).
    public let body: UnsafeBufferPointer<UInt8>
    /// Lines rejected so far.
    public internal(set) var issues = ParseIssues()
    /// The 1-based number of the line of the current entry.
    public internal(set) var lineNumber = 0

    /// Metric or family name of the current entry.
    public internal(set) var name: Range<Int> = 0..<0
    /// Help text or unit of the current entry, raw.
    public internal(set) var text: Range<Int> = 0..<0
    /// Whether ``text`` contains a backslash (help only).
    public internal(set) var textHasEscapes = false
    /// The type of a `# TYPE` entry.
    public internal(set) var type: MetricType = .unknown
    /// The sample's labels, then the exemplar's labels; see ``sampleLabelCount``.
    public internal(set) var labels: [LabelToken] = []
    /// How many of ``labels`` belong to the sample; the rest belong to the exemplar.
    public internal(set) var sampleLabelCount = 0
    /// The sample value.
    public internal(set) var value = 0.0
    /// The sample timestamp in milliseconds, if present.
    public internal(set) var timestamp: Int64?
    /// The exemplar's value and timestamp in milliseconds, if the sample carried one.
    public internal(set) var exemplar: (value: Double, timestamp: Int64?)?

    var position = 0
    var sawEOF = false
    var finished = false

    /// Creates a parser over `body` in `format`; `body` must outlive the parser's use.
    public init(body: UnsafeBufferPointer<UInt8>, format: ExpositionFormat) {
        self.body = body
        self.format = format
        labels.reserveCapacity(16)
    }

    /// Whether the current sample's series text was recognised by the ``KnownSeriesMatcher`` given
    /// to ``next(matching:)``: then only ``value`` and ``timestamp`` describe it.
    public internal(set) var isKnownSeries = false

    /// Advances to the next entry, skipping comments and recording bad lines; nil at the end.
    public mutating func next() -> Entry? {
        var matcher = NoKnownSeries()
        return next(matching: &matcher)
    }

    /// Advances like ``next()``, first offering each sample line to `matcher`: a line that starts
    /// with a series it knows skips lexing names and labels (``isKnownSeries``).
    mutating func next<Matcher: KnownSeriesMatcher>(matching matcher: inout Matcher) -> Entry? {
        while !finished {
            guard position < body.count else {
                finish()
                return nil
            }
            lineNumber += 1
            let start = position
            var end = body.count
            if let base = body.baseAddress,
                let newline = memchr(base + start, 0x0A, body.count - start)
            {
                end = base.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                position = end + 1
            } else {
                position = body.count
            }
            if end > start && body[end - 1] == 0x0D { end -= 1 }
            if sawEOF {
                issues.record(line: lineNumber, "content after # EOF")
                finished = true
                return nil
            }
            do {
                if let entry = try parseLine(start..<end, matching: &matcher) { return entry }
            } catch {
                issues.record(line: lineNumber, error.reason)
            }
        }
        return nil
    }

    private mutating func finish() {
        if !finished && format == .openMetrics && !sawEOF {
            issues.record(line: lineNumber + 1, "missing # EOF at the end of the OpenMetrics exposition")
        }
        finished = true
    }

    private mutating func parseLine<Matcher: KnownSeriesMatcher>(_ line: Range<Int>, matching matcher: inout Matcher)
        throws(LineError) -> Entry?
    {
        var index = line.lowerBound
        if format == .text { skipBlanks(&index, line.upperBound) }
        guard index < line.upperBound else {
            if format == .openMetrics { throw LineError("empty line (not allowed in OpenMetrics)") }
            return nil
        }
        if body[index] == UInt8(ascii: "#") {
            return try parseComment(index + 1..<line.upperBound)
        }
        isKnownSeries = false
        if let length = matcher.knownSeriesLength(in: UnsafeRawBufferPointer(slice(index..<line.upperBound))),
            parseKnownSample(index..<line.upperBound, seriesLength: length)
        {
            isKnownSeries = true
            return .sample
        }
        try parseSample(index..<line.upperBound)
        return .sample
    }

    private mutating func parseComment(_ line: Range<Int>) throws(LineError) -> Entry? {
        var index = line.lowerBound
        let end = line.upperBound
        let blanks = skipBlanks(&index, end)
        let keywordStart = index
        while index < end && !isBlank(body[index]) { index += 1 }
        let keyword = keywordStart..<index
        if format == .openMetrics && blanks > 0 && matches(keyword, "EOF") {
            skipBlanks(&index, end)
            guard index == end else { throw LineError("unexpected text after # EOF") }
            sawEOF = true
            return nil
        }
        let entry: Entry
        if blanks > 0 && matches(keyword, "HELP") {
            entry = .help
        } else if blanks > 0 && matches(keyword, "TYPE") {
            entry = .type
        } else if blanks > 0 && format == .openMetrics && matches(keyword, "UNIT") {
            entry = .unit
        } else if format == .text {
            return nil  // Any other line starting with # is a comment in text 0.0.4.
        } else {
            throw LineError("unexpected comment line (OpenMetrics allows only HELP, TYPE, UNIT and EOF)")
        }
        guard skipBlanks(&index, end) > 0 else { throw LineError("missing metric name after # \(keywordName(entry))") }
        let nameStart = index
        while index < end && !isBlank(body[index]) { index += 1 }
        name = nameStart..<index
        guard TextEscaping.isMetricName(slice(name)) else {
            throw LineError("invalid metric name \(quoted(name)) in # \(keywordName(entry))")
        }
        // OpenMetrics separates the help text by exactly one space, so leading blanks are part of
        // the text; text 0.0.4 separates tokens by any run of blanks.
        if entry == .help && format == .openMetrics {
            if index < end { index += 1 }
        } else {
            skipBlanks(&index, end)
        }
        switch entry {
        case .help:
            text = index..<end
            textHasEscapes = slice(text).contains(UInt8(ascii: "\\"))
            guard TextEscaping.isValidUTF8(slice(text)) else { throw LineError("help text is not valid UTF-8") }
        case .type:
            let tokenStart = index
            while index < end && !isBlank(body[index]) { index += 1 }
            let token = String(decoding: slice(tokenStart..<index), as: UTF8.self)
            skipBlanks(&index, end)
            guard index == end, let parsed = MetricType(token: token, format: format) else {
                throw LineError("unknown metric type \(quoted(tokenStart..<end)) for \(quoted(name))")
            }
            type = parsed
        case .unit:
            let tokenStart = index
            while index < end && !isBlank(body[index]) { index += 1 }
            text = tokenStart..<index
            skipBlanks(&index, end)
            guard index == end else { throw LineError("unexpected text after the unit of \(quoted(name))") }
            try checkUnitSuffix()
        case .sample:
            break
        }
        return entry
    }

    /// OpenMetrics: "the family name MUST be suffixed by an underscore and the unit".
    private func checkUnitSuffix() throws(LineError) {
        let unit = slice(text)
        let family = slice(name)
        guard !unit.isEmpty else { return }
        let suffixStart = family.count - unit.count - 1
        guard suffixStart > 0, family[suffixStart] == UInt8(ascii: "_"),
            zip(family[(suffixStart + 1)...], unit).allSatisfy({ $0 == $1 })
        else {
            throw LineError("unit \(quoted(text)) is not a suffix of the family name \(quoted(name))")
        }
    }

    private func keywordName(_ entry: Entry) -> String {
        switch entry {
        case .help: "HELP"
        case .type: "TYPE"
        case .unit: "UNIT"
        case .sample: ""
        }
    }

    // MARK: Small lexing helpers shared with the sample lexer.

    func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// Skips spaces and tabs; returns how many.
    @discardableResult
    func skipBlanks(_ index: inout Int, _ end: Int) -> Int {
        let start = index
        while index < end && isBlank(body[index]) { index += 1 }
        return index - start
    }

    /// The body bytes of `range`.
    public func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: body[range])
    }

    func matches(_ range: Range<Int>, _ word: StaticString) -> Bool {
        guard range.count == word.utf8CodeUnitCount else { return false }
        let expected = word.utf8Start
        for offset in 0..<range.count where body[range.lowerBound + offset] != expected[offset] { return false }
        return true
    }

    /// A range quoted for an error message, cut to 64 bytes so a huge line cannot bloat the log.
    func quoted(_ range: Range<Int>) -> String {
        let cut = range.lowerBound..<min(range.upperBound, range.lowerBound + 64)
        let text = String(decoding: slice(cut), as: UTF8.self)
        return "\"" + text + (cut.count < range.count ? "…" : "") + "\""
    }
}
