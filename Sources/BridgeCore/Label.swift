/// One label pair of a series, as symbols of the batch's ``SymbolTable``.
public struct Label: Hashable, Sendable {
    /// The label name.
    public var name: Symbol
    /// The label value; ``Symbol/empty`` for an empty value.
    public var value: Symbol

    /// Creates a label pair.
    public init(name: Symbol, value: Symbol) {
        self.name = name
        self.value = value
    }
}
