extension Relabeler {
    /// The rules bound to one symbol table, with per-value caches of their outcomes.
    struct Session {
        /// A rule with its label names interned.
        struct BoundRule {
            let config: RelabelConfig
            let sources: [Symbol]
            let target: Symbol
            let targetIsTemplate: Bool
            let separator: [UInt8]
        }

        /// What a `replace` produced for one input value: nil target means no match.
        struct Replacement {
            let target: Symbol?
            let value: Symbol
        }

        let nameLabel: Symbol
        var bound: [BoundRule]
        /// Per rule: input value symbol → outcome. Bounded by the number of distinct values in the table.
        var matchCache: [[Symbol: Bool]]
        var replaceCache: [[Symbol: Replacement]]
        var mapCache: [[Symbol: Symbol]]
        var scratch: [UInt8] = []

        init(rules: [RelabelConfig], symbols: inout SymbolTable) {
            nameLabel = symbols.intern("__name__")
            bound = rules.map { rule in
                BoundRule(
                    config: rule,
                    sources: rule.sourceLabels.map { symbols.intern($0) },
                    target: symbols.intern(rule.targetLabel),
                    targetIsTemplate: rule.targetLabel.contains("$"),
                    separator: Array(rule.separator.utf8)
                )
            }
            matchCache = Array(repeating: [:], count: rules.count)
            replaceCache = Array(repeating: [:], count: rules.count)
            mapCache = Array(repeating: [:], count: rules.count)
        }

        /// Runs every rule over `labels`; false when a rule drops the series.
        mutating func process(_ labels: inout [Label], symbols: inout SymbolTable) -> Bool {
            for index in bound.indices {
                guard apply(index, to: &labels, symbols: &symbols) else { return false }
            }
            return true
        }

        private mutating func apply(_ index: Int, to labels: inout [Label], symbols: inout SymbolTable) -> Bool {
            let rule = bound[index]
            switch rule.config.action {
            case .keep:
                return matches(index, joined(rule, labels, &symbols), symbols)
            case .drop:
                return !matches(index, joined(rule, labels, &symbols), symbols)
            case .keepEqual:
                return joined(rule, labels, &symbols) == (value(of: rule.target, in: labels) ?? .empty)
            case .dropEqual:
                return joined(rule, labels, &symbols) != (value(of: rule.target, in: labels) ?? .empty)
            case .replace:
                replace(index, &labels, &symbols)
            case .hashMod, .lowercase, .uppercase:
                let input = joined(rule, labels, &symbols)
                let output = transformed(index, input, &symbols)
                set(rule.target, output, in: &labels)
            case .labelMap:
                let snapshot = labels
                for label in snapshot {
                    if let newName = mappedName(index, label.name, &symbols) { set(newName, label.value, in: &labels) }
                }
            case .labelDrop:
                labels.removeAll { matches(index, $0.name, symbols) }
            case .labelKeep:
                labels.removeAll { !matches(index, $0.name, symbols) }
            }
            return true
        }

        private mutating func replace(_ index: Int, _ labels: inout [Label], _ symbols: inout SymbolTable) {
            let rule = bound[index]
            let input = joined(rule, labels, &symbols)
            let outcome: Replacement
            if let cached = replaceCache[index][input] {
                outcome = cached
            } else {
                outcome = computeReplacement(rule, input: input, symbols: &symbols)
                replaceCache[index][input] = outcome
            }
            guard let target = outcome.target else { return }
            if target == .empty {
                // Prometheus deletes the configured target_label (not the expanded one) when the
                // expanded target is not a valid label name or the replacement is empty.
                remove(rule.target, from: &labels)
                return
            }
            set(target, outcome.value, in: &labels)
        }

        private func computeReplacement(_ rule: BoundRule, input: Symbol, symbols: inout SymbolTable) -> Replacement {
            guard let match = rule.config.regex.match(symbols.string(input)) else {
                return Replacement(target: nil, value: .empty)
            }
            var target = rule.target
            if rule.targetIsTemplate {
                let expanded = RelabelRegex.expand(rule.config.targetLabel, with: match)
                guard TextEscaping.isLabelName(expanded) else { return Replacement(target: .empty, value: .empty) }
                target = symbols.intern(expanded)
            }
            let value = RelabelRegex.expand(rule.config.replacement, with: match)
            guard !value.isEmpty else { return Replacement(target: .empty, value: .empty) }
            return Replacement(target: target, value: symbols.intern(value))
        }

        private mutating func transformed(_ index: Int, _ input: Symbol, _ symbols: inout SymbolTable) -> Symbol {
            if let cached = mapCache[index][input] { return cached }
            let rule = bound[index].config
            let text = symbols.string(input)
            let result: String
            switch rule.action {
            case .lowercase: result = text.lowercased()
            case .uppercase: result = text.uppercased()
            default:
                // Prometheus: the last 8 bytes of MD5(value), big-endian, modulo `modulus`.
                let digest = MD5.digest(Array(text.utf8))
                let hash = digest[8...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                result = String(hash % rule.modulus)
            }
            let symbol = symbols.intern(result)
            mapCache[index][input] = symbol
            return symbol
        }

        private mutating func mappedName(_ index: Int, _ name: Symbol, _ symbols: inout SymbolTable) -> Symbol? {
            if let cached = mapCache[index][name] { return cached == .empty ? nil : cached }
            let rule = bound[index].config
            var result = Symbol.empty
            if let match = rule.regex.match(symbols.string(name)) {
                let expanded = RelabelRegex.expand(rule.replacement, with: match)
                if TextEscaping.isLabelName(expanded) { result = symbols.intern(expanded) }
            }
            mapCache[index][name] = result
            return result == .empty ? nil : result
        }

        private mutating func matches(_ index: Int, _ input: Symbol, _ symbols: SymbolTable) -> Bool {
            if let cached = matchCache[index][input] { return cached }
            let result = bound[index].config.regex.matches(symbols.string(input))
            matchCache[index][input] = result
            return result
        }

        /// The source values joined by the separator, as a symbol (missing labels count as "").
        private mutating func joined(_ rule: BoundRule, _ labels: [Label], _ symbols: inout SymbolTable) -> Symbol {
            if rule.sources.count == 1 { return value(of: rule.sources[0], in: labels) ?? .empty }
            scratch.removeAll(keepingCapacity: true)
            for (position, source) in rule.sources.enumerated() {
                if position > 0 { scratch.append(contentsOf: rule.separator) }
                if let value = value(of: source, in: labels) { symbols.append(value, to: &scratch) }
            }
            return symbols.intern(scratch)
        }

        private func value(of name: Symbol, in labels: [Label]) -> Symbol? {
            for label in labels where label.name == name { return label.value }
            return nil
        }

        /// Sets a label; an empty value removes it, as Prometheus' label builder does.
        private func set(_ name: Symbol, _ value: Symbol, in labels: inout [Label]) {
            if value == .empty {
                remove(name, from: &labels)
            } else if let index = labels.firstIndex(where: { $0.name == name }) {
                labels[index].value = value
            } else {
                labels.append(Label(name: name, value: value))
            }
        }

        private func remove(_ name: Symbol, from labels: inout [Label]) {
            labels.removeAll { $0.name == name }
        }
    }
}
