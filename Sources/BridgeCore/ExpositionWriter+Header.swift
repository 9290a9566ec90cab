extension ExpositionWriter {
    /// The name and type a family's metadata lines carry in the writer's format.
    struct Header {
        var name: [UInt8]
        var type: MetricType?
    }

    /// The metadata header for `family`, or nil when the family is written without metadata.
    func header(
        for family: MetricBatch.Family,
        samples: ArraySlice<MetricBatch.Sample>,
        symbols: SymbolTable
    ) -> Header? {
        guard family.type != nil || family.help != nil || family.unit != nil else { return nil }
        var name: [UInt8] = []
        symbols.append(family.name, to: &name)
        let firstName = samples.first.map { sample -> [UInt8] in
            var bytes: [UInt8] = []
            symbols.append(sample.name, to: &bytes)
            return bytes
        }
        switch (family.type, format) {
        case (.counter, .text):
            // A 0.0.4 counter is declared under its sample name (`x_total`), an OpenMetrics one
            // under the family name (`x`); follow the samples, skipping `_created`.
            if let firstName, !firstName.hasSuffix("_created") { return Header(name: firstName, type: .counter) }
            return Header(name: name, type: .counter)
        case (.counter, .openMetrics):
            if let firstName, firstName == name {
                if name.hasSuffix("_total") { return Header(name: Array(name.dropLast(6)), type: .counter) }
                return Header(name: name, type: .unknown)
            }
            return Header(name: name, type: .counter)
        case (.info, .text):
            return Header(name: firstName ?? name + Array("_info".utf8), type: .unknown)
        case (.gaugeHistogram, .text):
            return nil
        default:
            return Header(name: name, type: family.type)
        }
    }
}

extension Array where Element == UInt8 {
    /// Whether the bytes end with the UTF-8 bytes of `suffix`.
    func hasSuffix(_ suffix: String) -> Bool {
        let tail = Array(suffix.utf8)
        return count >= tail.count && self[(count - tail.count)...].elementsEqual(tail)
    }
}
