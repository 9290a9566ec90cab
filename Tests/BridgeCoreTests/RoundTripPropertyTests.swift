import BridgeCore
import PropertyBased
import Testing

/// Random expositions that each format can carry, for parse(write(x)) == x.
///
/// Families get unique names and samples named as their type requires in the format, so that the
/// written text parses back into the same grouping. Help texts, label values and exemplar labels
/// draw from escapes, quotes, newlines, tabs and non-ASCII text.
struct ExpositionGenerator {
    let format: ExpositionFormat

    static let pieces = [
        "a", "Z", "0", " ", "\\", "\"", "\n", "\t", "\\n", "{", "}", "=", ",", "#", "é", "日本", "✓", "🚀", "\u{301}",
        "\u{0}", "$1", "le", "+Inf", "NaN",
    ]

    static let specialValues: [Double] = [
        0, -0.0, 1, -1, .nan, .infinity, -.infinity, 0.1, 1e-7, 1e300, -2.5e-300, .leastNonzeroMagnitude,
        .greatestFiniteMagnitude, 9_007_199_254_740_994, 18_014_398_509_481_984, 1_763_700_000.125,
    ]

    func families(_ random: inout some RandomNumberGenerator) -> [MetricFamilyValue] {
        (0..<Int.random(in: 0...6, using: &random)).compactMap { index in family(index, &random) }
    }

    private func family(_ index: Int, _ random: inout some RandomNumberGenerator) -> MetricFamilyValue? {
        let types: [MetricType?] =
            format == .text
            ? [nil, .counter, .gauge, .histogram, .summary, .unknown]
            : [nil, .counter, .gauge, .histogram, .summary, .unknown, .info, .stateset, .gaugeHistogram]
        let type = types.randomElement(using: &random)!
        var name =
            "m\(index)_"
            + String((0..<Int.random(in: 1...4, using: &random)).map { _ in "abcxyz".randomElement(using: &random)! })
        var unit: String?
        if format == .openMetrics && type != nil && Bool.random(using: &random) {
            unit = "seconds"
            name += "_seconds"
        }
        let help = Bool.random(using: &random) ? text(&random, allowLeadingBlank: format == .openMetrics) : nil
        let suffixes = (type ?? .unknown).sampleSuffixes(in: format)
        let hasMetadata = type != nil || help != nil
        let count = Int.random(in: hasMetadata ? 0...5 : 1...5, using: &random)
        let samples = (0..<count).map { _ in sample(name + suffixes.randomElement(using: &random)!, &random) }
        return MetricFamilyValue(name: name, type: type, help: help, unit: unit, samples: samples)
    }

    private func sample(_ name: String, _ random: inout some RandomNumberGenerator) -> MetricSampleValue {
        let labels = (0..<Int.random(in: 0...4, using: &random)).map { index in
            LabelPair(["pod", "namespace", "le", "_x", "A9"][index], text(&random, allowLeadingBlank: true))
        }
        var exemplar: ExemplarValue?
        if format == .openMetrics && Int.random(in: 0..<4, using: &random) == 0 {
            exemplar = ExemplarValue(
                labels: Bool.random(using: &random) ? [LabelPair("trace_id", "t\(random.next() % 1000)")] : [],
                value: value(&random),
                timestamp: Bool.random(using: &random) ? timestamp(&random) : nil
            )
        }
        return MetricSampleValue(
            name: name,
            labels: labels,
            value: value(&random),
            timestamp: Bool.random(using: &random) ? timestamp(&random) : nil,
            exemplar: exemplar
        )
    }

    private func text(_ random: inout some RandomNumberGenerator, allowLeadingBlank: Bool) -> String {
        var result = (0..<Int.random(in: 0...6, using: &random)).map { _ in Self.pieces.randomElement(using: &random)! }
            .joined()
        // Text 0.0.4 separates the help text from the name by any run of blanks.
        while !allowLeadingBlank, let first = result.unicodeScalars.first, first == " " || first == "\t" {
            result.unicodeScalars.removeFirst()
        }
        return result
    }

    private func value(_ random: inout some RandomNumberGenerator) -> Double {
        switch Int.random(in: 0..<3, using: &random) {
        case 0: Self.specialValues.randomElement(using: &random)!
        case 1: Double(Int64.random(in: -1_000_000_000...1_000_000_000, using: &random))
        default: Double(bitPattern: random.next()).isNaN ? 1 : Double(bitPattern: random.next())
        }
    }

    private func timestamp(_ random: inout some RandomNumberGenerator) -> Int64 {
        // OpenMetrics carries seconds as decimals; millisecond precision holds far past year 9999.
        format == .text
            ? Int64.random(in: .min ... .max, using: &random)
            : Int64.random(in: -100_000_000_000_000...100_000_000_000_000, using: &random)
    }
}

@Suite struct RoundTripPropertyTests {
    @Test(arguments: ExpositionFormat.allCases)
    func parseOfWriteIsIdentity(_ format: ExpositionFormat) async {
        let generator = ExpositionGenerator(format: format)
        let families = Generator<[MetricFamilyValue], Shrink.None<[MetricFamilyValue]>> { random in
            generator.families(&random)
        }
        await propertyCheck(count: 500, input: families) { families in
            let batch = MetricBatch(families)
            let written = ExpositionWriter(format: format, includeTimestamps: true).string(batch)
            var issues = ParseIssues()
            let parsed = MetricBatch.parse(Array(written.utf8), format: format, issues: &issues)
            #expect(issues.kept == [], "\(written)")
            let mismatch = zip(parsed.familyValues, families).first { $0 != $1 }
            #expect(parsed.familyValues == families, "first mismatch: \(String(describing: mismatch))\n\(written)")
        }
    }
}
