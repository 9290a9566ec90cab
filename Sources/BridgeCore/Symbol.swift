/// An interned byte string: an index into a ``SymbolTable``.
///
/// Label names, label values, metric names and help texts repeat across the series of one scrape and
/// across scrapes, so the hot path stores each distinct string once and passes 4-byte handles around.
/// A symbol means nothing without the table that issued it.
public struct Symbol: Hashable, Sendable, Comparable {
    /// The index of the string in its table.
    public let rawValue: UInt32

    /// Wraps a raw table index; only a ``SymbolTable`` should hand these out.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The empty string, present in every table at index 0.
    public static let empty = Symbol(rawValue: 0)

    /// Orders by table index, which is insertion order, not byte order.
    public static func < (lhs: Symbol, rhs: Symbol) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
