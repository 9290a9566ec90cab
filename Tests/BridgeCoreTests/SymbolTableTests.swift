import BridgeCore
import Testing

@Suite struct SymbolTableTests {
    @Test func emptyStringIsSymbolZero() {
        var table = SymbolTable()
        #expect(table.intern("") == .empty)
        #expect(table.string(.empty) == "")
    }

    @Test func internReturnsTheSameSymbolForTheSameBytes() {
        var table = SymbolTable(capacity: 4)
        var symbols: [Symbol] = []
        for index in 0..<10_000 { symbols.append(table.intern("value-\(index)")) }
        for index in stride(from: 0, to: 10_000, by: 7) {
            #expect(table.intern("value-\(index)") == symbols[index])
            #expect(table.string(symbols[index]) == "value-\(index)")
        }
        #expect(table.count == 10_001)
        #expect(Set(symbols).count == 10_000)
    }

    @Test func lookupDoesNotAdd() {
        var table = SymbolTable()
        let pod = table.intern("pod")
        #expect(table.lookup("pod") == pod)
        #expect(table.lookup("namespace") == nil)
        #expect(table.count == 2)
    }

    @Test(arguments: [("plain", false), ("with \"quote\"", true), ("back\\slash", true), ("new\nline", true)])
    func escapingFlag(text: String, needsEscaping: Bool) {
        var table = SymbolTable()
        let symbol = table.intern(text)
        #expect(table.needsEscaping(symbol) == needsEscaping)
    }

    @Test func bytesPrecedeIsByteOrder() {
        var table = SymbolTable()
        let b = table.intern("b")
        let a = table.intern("a")
        let ab = table.intern("ab")
        #expect(table.bytesPrecede(a, b))
        #expect(table.bytesPrecede(a, ab))
        #expect(!table.bytesPrecede(b, ab))
        #expect(!table.bytesPrecede(a, a))
    }
}
