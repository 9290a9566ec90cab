#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ExpositionParser {
    /// Lexes `name{labels} value [timestamp] [# {labels} value [timestamp]]`.
    ///
    /// Text 0.0.4 timestamps are integer milliseconds; OpenMetrics timestamps are seconds and exemplars
    /// exist only there (exposition_formats.md; OpenMetrics 1.0 §"Exemplars").
    mutating func parseSample(_ line: Range<Int>) throws(LineError) {
        var index = line.lowerBound
        let end = line.upperBound
        labels.removeAll(keepingCapacity: true)
        exemplar = nil
        timestamp = nil
        if body[index] == UInt8(ascii: "{") {
            throw LineError("metric name missing before \"{\" (quoted UTF-8 names are not supported)")
        }
        let nameStart = index
        while index < end && (TextEscaping.isNameByte(body[index]) || body[index] == UInt8(ascii: ":")) {
            index += 1
        }
        name = nameStart..<index
        // The loop took only [a-zA-Z0-9_:]; a metric name must not start with a digit.
        guard !name.isEmpty, TextEscaping.isNameStart(body[nameStart]) || body[nameStart] == UInt8(ascii: ":") else {
            throw LineError("invalid metric name \(quoted(nameStart..<max(index, nameStart + 1)))")
        }
        var blanks = skipBlanks(&index, end)
        if index < end && body[index] == UInt8(ascii: "{") {
            try parseLabels(&index, end)
            blanks = skipBlanks(&index, end)
        }
        sampleLabelCount = labels.count
        try parseValueAndTimestamp(&index, end, blanks: blanks)
        guard index < end else { return }
        guard format == .openMetrics, body[index] == UInt8(ascii: "#") else {
            throw LineError("unexpected text \(quoted(index..<end)) after the value of \(quoted(name))")
        }
        try parseExemplar(&index, end)
    }

    /// Lexes a sample line whose series text, `seriesLength` bytes from the start of `line`, is
    /// known to be exactly that of a series parsed before (``KnownSeriesMatcher``): only the value
    /// and timestamp are left. Returns false for anything but a blank, a value, an optional
    /// timestamp and the line end; the caller then parses the line in full, which finds the fault.
    mutating func parseKnownSample(_ line: Range<Int>, seriesLength: Int) -> Bool {
        var index = line.lowerBound + seriesLength
        let end = line.upperBound
        name = line.lowerBound..<index
        timestamp = nil
        let blanks = skipBlanks(&index, end)
        guard blanks > 0, (try? parseValueAndTimestamp(&index, end, blanks: blanks)) != nil, index == end else {
            return false
        }
        labels.removeAll(keepingCapacity: true)
        sampleLabelCount = 0
        exemplar = nil
        return true
    }

    /// Lexes the value and optional timestamp that follow a sample's series text; `blanks` is how
    /// many blanks preceded `index`. Stops at the line end or at an exemplar's `#`.
    private mutating func parseValueAndTimestamp(_ index: inout Int, _ end: Int, blanks: Int) throws(LineError) {
        guard blanks > 0 || index == end else {
            throw LineError("expected a blank before the value of \(quoted(name))")
        }
        guard let valueToken = token(&index, end) else { throw LineError("missing value for \(quoted(name))") }
        guard let parsed = GoFloatParser.parse(slice(valueToken)) else {
            throw LineError("invalid value \(quoted(valueToken)) for \(quoted(name))")
        }
        value = parsed
        skipBlanks(&index, end)
        if index < end && body[index] != UInt8(ascii: "#") {
            let timestampToken = token(&index, end)!
            timestamp = try parseTimestamp(timestampToken)
            skipBlanks(&index, end)
        }
    }

    private mutating func parseExemplar(_ index: inout Int, _ end: Int) throws(LineError) {
        index += 1
        skipBlanks(&index, end)
        guard index < end, body[index] == UInt8(ascii: "{") else {
            throw LineError("expected \"{\" to start the exemplar of \(quoted(name))")
        }
        let exemplarStart = index
        try parseLabels(&index, end, exemplar: true)
        // OpenMetrics 1.0: the exemplar label set MUST NOT exceed 128 UTF-8 code points.
        var codePoints = 0
        for token in labels[sampleLabelCount...] {
            for byte in slice(token.name) where byte & 0xC0 != 0x80 { codePoints += 1 }
            for byte in slice(token.value) where byte & 0xC0 != 0x80 { codePoints += 1 }
        }
        guard codePoints <= 128 else {
            throw LineError("exemplar labels of \(quoted(name)) exceed 128 UTF-8 code points")
        }
        skipBlanks(&index, end)
        guard let valueToken = token(&index, end), let exemplarValue = GoFloatParser.parse(slice(valueToken)) else {
            throw LineError("invalid exemplar value after \(quoted(exemplarStart..<end))")
        }
        skipBlanks(&index, end)
        var exemplarTimestamp: Int64?
        if let timestampToken = token(&index, end) {
            exemplarTimestamp = try parseTimestamp(timestampToken)
        }
        skipBlanks(&index, end)
        guard index == end else { throw LineError("unexpected text \(quoted(index..<end)) after the exemplar") }
        exemplar = (exemplarValue, exemplarTimestamp)
    }

    /// Lexes `{name="value",...}` with an optional trailing comma, appending to ``labels``.
    private mutating func parseLabels(_ index: inout Int, _ end: Int, exemplar: Bool = false) throws(LineError) {
        let first = labels.count
        index += 1
        while true {
            skipBlanks(&index, end)
            guard index < end else { throw LineError("unterminated label set of \(quoted(name))") }
            if body[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            let nameStart = index
            while index < end && TextEscaping.isNameByte(body[index]) { index += 1 }
            let labelName = nameStart..<index
            // The loop took only [a-zA-Z0-9_]; a label name must not start with a digit.
            guard !labelName.isEmpty, TextEscaping.isNameStart(body[nameStart]) else {
                throw LineError("invalid label name at \(quoted(nameStart..<end))")
            }
            skipBlanks(&index, end)
            guard index < end, body[index] == UInt8(ascii: "=") else {
                throw LineError("expected \"=\" after label name \(quoted(labelName))")
            }
            index += 1
            skipBlanks(&index, end)
            guard index < end, body[index] == UInt8(ascii: "\"") else {
                throw LineError("expected a quoted value for label \(quoted(labelName))")
            }
            index += 1
            let valueStart = index
            let escaped = scanLabelValue(&index, end)
            guard index < end else { throw LineError("unterminated value of label \(quoted(labelName))") }
            let valueRange = valueStart..<index
            index += 1
            if !Self.isASCII(slice(valueRange)) && !TextEscaping.isValidUTF8(slice(valueRange)) {
                throw LineError("value of label \(quoted(labelName)) is not valid UTF-8")
            }
            for earlier in labels[first...] where sameBytes(earlier.name, labelName) {
                throw LineError("duplicate label \(quoted(labelName)) in \(quoted(name))")
            }
            // The metric name is the __name__ label; a second one would make the series invalid.
            if !exemplar && matches(labelName, "__name__") {
                throw LineError("label \"__name__\" repeats the metric name \(quoted(name))")
            }
            labels.append(LabelToken(name: labelName, value: valueRange, escaped: escaped))
            skipBlanks(&index, end)
            guard index < end else { throw LineError("unterminated label set of \(quoted(name))") }
            if body[index] == UInt8(ascii: ",") {
                index += 1
            } else if body[index] != UInt8(ascii: "}") {
                throw LineError("expected \",\" or \"}\" after the value of label \(quoted(labelName))")
            }
        }
    }

    /// Advances `index` to the closing quote of a label value (or `end`); returns whether the value
    /// contains a backslash escape. `memchr` finds the quote; only values with a backslash before
    /// it need the byte-by-byte walk that skips escaped quotes.
    private func scanLabelValue(_ index: inout Int, _ end: Int) -> Bool {
        guard let base = body.baseAddress, index < end else { return false }
        let start = index
        guard let quote = memchr(base + start, Int32(UInt8(ascii: "\"")), end - start) else {
            index = end
            return memchr(base + start, Int32(UInt8(ascii: "\\")), end - start) != nil
        }
        let quoteIndex = base.distance(to: quote.assumingMemoryBound(to: UInt8.self))
        guard memchr(base + start, Int32(UInt8(ascii: "\\")), quoteIndex - start) != nil else {
            index = quoteIndex
            return false
        }
        while index < end && body[index] != UInt8(ascii: "\"") {
            if body[index] == UInt8(ascii: "\\") { index += 1 }
            index += 1
        }
        index = min(index, end)
        return true
    }

    /// Whether every byte is below 0x80, eight at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        var offset = 0
        var accumulated: UInt64 = 0
        while offset + 8 <= raw.count {
            accumulated |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < raw.count {
            accumulated |= UInt64(raw[offset])
            offset += 1
        }
        return accumulated & 0x8080_8080_8080_8080 == 0
    }

    /// Text 0.0.4: an int64 in milliseconds. OpenMetrics: seconds as a real number.
    private func parseTimestamp(_ range: Range<Int>) throws(LineError) -> Int64 {
        switch format {
        case .text:
            guard let milliseconds = Self.parseInt64(slice(range)) else {
                throw LineError("invalid timestamp \(quoted(range)) (expected integer milliseconds)")
            }
            return milliseconds
        case .openMetrics:
            guard let seconds = GoFloatParser.parse(slice(range)), seconds.isFinite,
                abs(seconds) < 9.2e15
            else {
                throw LineError("invalid timestamp \(quoted(range)) (expected seconds)")
            }
            return Int64((seconds * 1000).rounded())
        }
    }

    /// The next run of non-blank bytes, or nil at the end of the line.
    private func token(_ index: inout Int, _ end: Int) -> Range<Int>? {
        let start = index
        while index < end && !isBlank(body[index]) { index += 1 }
        return start < index ? start..<index : nil
    }

    private func sameBytes(_ lhs: Range<Int>, _ rhs: Range<Int>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for offset in 0..<lhs.count where body[lhs.lowerBound + offset] != body[rhs.lowerBound + offset] {
            return false
        }
        return true
    }

    /// A decimal int64 with an optional sign, as Go's `strconv.ParseInt(s, 10, 64)` reads it.
    static func parseInt64(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        guard index < bytes.count else { return nil }
        var magnitude: UInt64 = 0
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(digit))
            guard !overflow1 && !overflow2 else { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}
