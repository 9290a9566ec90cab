/// The relabel actions Prometheus defines (configuration.md, `<relabel_config>`), with its spellings.
public enum RelabelAction: String, Sendable, CaseIterable, Hashable {
    /// Set `target_label` to the expanded `replacement` when `regex` matches the joined sources.
    case replace
    /// Drop the series unless `regex` matches the joined sources.
    case keep
    /// Drop the series when `regex` matches the joined sources.
    case drop
    /// Drop the series unless the joined sources equal the value of `target_label`.
    case keepEqual = "keepequal"
    /// Drop the series when the joined sources equal the value of `target_label`.
    case dropEqual = "dropequal"
    /// Set `target_label` to the MD5 of the joined sources modulo `modulus`.
    case hashMod = "hashmod"
    /// Copy every label whose name matches `regex` to the name the `replacement` expands to.
    case labelMap = "labelmap"
    /// Remove every label whose name matches `regex`.
    case labelDrop = "labeldrop"
    /// Remove every label whose name does not match `regex`.
    case labelKeep = "labelkeep"
    /// Set `target_label` to the lower-cased joined sources.
    case lowercase
    /// Set `target_label` to the upper-cased joined sources.
    case uppercase
}
