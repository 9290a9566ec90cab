extension Duration {
    /// Whole milliseconds, the unit of process create times and report timestamps, so that a
    /// configured `qualify_after` or `expire_after` compares with them without rounding to seconds.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
