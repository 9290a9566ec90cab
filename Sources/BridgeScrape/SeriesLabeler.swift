import BridgeCore

/// Adds a target's series labels to every sample of a batch.
///
/// A sample that already has a label of the same name keeps its value under `exported_<name>`
/// (`exported_exported_<name>` if that is taken too), as Prometheus does for target labels with
/// `honor_labels: false`. The mapping is injective: two distinct input series stay distinct.
struct SeriesLabeler {
    private let labels: [(name: String, value: String)]

    init(_ labels: [LabelPair]) {
        self.labels = labels.map { ($0.name, $0.value) }
    }

    func apply(to batch: inout MetricBatch) {
        guard !labels.isEmpty else { return }
        let added = labels.map { Label(name: batch.symbols.intern($0.name), value: batch.symbols.intern($0.value)) }
        var exportedNames: [Symbol: Symbol] = [:]
        batch.rewriteLabels(adding: added.count) { working, symbols in
            for label in added {
                if working.contains(where: { $0.name == label.name }) {
                    rename(label.name, in: &working, symbols: &symbols, cache: &exportedNames)
                }
                working.append(label)
            }
        }
    }

    /// Renames label `name` to `exported_<name>`, first moving an existing `exported_<name>` further.
    private func rename(
        _ name: Symbol, in labels: inout [Label], symbols: inout SymbolTable, cache: inout [Symbol: Symbol]
    ) {
        let exported: Symbol
        if let cached = cache[name] {
            exported = cached
        } else {
            exported = symbols.intern("exported_" + symbols.string(name))
            cache[name] = exported
        }
        if labels.contains(where: { $0.name == exported }) {
            rename(exported, in: &labels, symbols: &symbols, cache: &cache)
        }
        if let index = labels.firstIndex(where: { $0.name == name }) { labels[index].name = exported }
    }
}
