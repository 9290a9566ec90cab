import BridgeCore
import Testing

/// Spellings and the values Go's `strconv.ParseFloat(s, 64)` gives for them.
let acceptedFloats: [(String, Double)] = [
    ("0", 0), ("-0", -0.0), ("+1", 1), ("1.5", 1.5), (".5", 0.5), ("5.", 5), ("1e3", 1000), ("1E+3", 1000),
    ("1e-3", 0.001), ("1.458255915e9", 1_458_255_915), ("1.7560473e+07", 17_560_473),
    ("123456789012345678901234567890", 1.2345678901234568e29), ("0.1", 0.1),
    ("2.2250738585072014e-308", 2.2250738585072014e-308),
    ("4.9e-324", .leastNonzeroMagnitude), ("1e-400", 0), ("1.7976931348623157e308", .greatestFiniteMagnitude),
    ("0x1p-2", 0.25), ("0X1.8P3", 12), ("0x_1p0", 1), ("-0x10p0", -16), ("1_000", 1000), ("1_0.5_0", 10.5),
    ("1e1_0", 1e10), ("inf", .infinity), ("+Inf", .infinity), ("-INF", -.infinity), ("Infinity", .infinity),
    ("-infinity", -.infinity), ("0.000001", 0.000001), ("9007199254740993", 9_007_199_254_740_992),
]

let rejectedFloats: [String] = [
    "", "+", "-", ".", "e5", "1e", "1e+", "0x1", "0x1.8", "0xp1", "+NaN", "-nan", "nan(1)", "infin", "infinit",
    "1_", "_1", "1__0", "1_.5", "1._5", "0x1p", "1e400", "-1e400", " 1", "1 ", "1,5", "0b101", "1.2.3", "1e_5",
]

@Suite struct GoFloatParserTests {
    @Test(arguments: acceptedFloats)
    func acceptsWhatGoAccepts(_ text: String, _ expected: Double) {
        let value = GoFloatParser.parse(text)
        #expect(value?.bitPattern == expected.bitPattern, "\(text) gave \(String(describing: value))")
    }

    @Test(arguments: ["NaN", "nan", "NAN"])
    func acceptsNaN(_ text: String) {
        #expect(GoFloatParser.parse(text)?.isNaN == true)
    }

    @Test(arguments: rejectedFloats)
    func rejectsWhatGoRejects(_ text: String) {
        #expect(GoFloatParser.parse(text) == nil)
    }

    @Test func fastPathAgreesWithStrtodOnRandomDecimals() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let mantissa = Int64.random(in: -999_999_999_999...999_999_999_999, using: &random)
            let exponent = Int.random(in: -30...30, using: &random)
            let text = "\(mantissa)e\(exponent)"
            #expect(GoFloatParser.parse(text) == Double(text), "\(text)")
        }
    }
}
