#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parses sample values exactly as Go's `strconv.ParseFloat(s, 64)` does, which is what Prometheus'
/// text parsers call (model/textparse) and so what every exporter's output has been checked against.
///
/// Accepted: decimal `[+-]digits[.digits][e[+-]digits]` (either side of the point may be empty, not
/// both), hexadecimal `[+-]0x` mantissa with a mandatory `p` exponent, `_` between digits (Go's
/// `underscoreOK`), case-insensitive `inf` / `infinity` with an optional sign, and `nan` without one.
/// Values beyond the float64 range are errors (Go's `ErrRange`); underflow gives zero.
///
/// Plain decimals of up to 19 digits with a small exponent take an exact fast path (Clinger 1990:
/// an integer below 2^53 times or divided by an exact power of ten rounds correctly); the rest is
/// validated here and converted by the C library's correctly rounded `strtod`.
public enum GoFloatParser {
    /// The value of `bytes`, or nil if Go would reject it.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !bytes.isEmpty else { return nil }
        if let fast = fastDecimal(bytes) { return fast }
        if let special = special(bytes) { return special }
        guard isValidSyntax(bytes) else { return nil }
        return convertWithStrtod(bytes)
    }

    /// The value of `string`, or nil if Go would reject it.
    public static func parse(_ string: String) -> Double? {
        var copy = string
        return copy.withUTF8 { parse($0) }
    }

    private static let exactPowers: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    private static func fastDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        let count = bytes.count
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            index = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var sawDigit = false
        while index < count, bytes[index] &- UInt8(ascii: "0") < 10 {
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0"))
                if mantissa != 0 { digits += 1 }
            } else {
                return nil
            }
            sawDigit = true
            index += 1
        }
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < count, bytes[index] &- UInt8(ascii: "0") < 10 {
                if digits >= 19 { return nil }
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0"))
                if mantissa != 0 { digits += 1 }
                scale -= 1
                sawDigit = true
                index += 1
            }
        }
        guard sawDigit else { return nil }
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponent = 0
            var sawExponentDigit = false
            while index < count, bytes[index] &- UInt8(ascii: "0") < 10 {
                if exponent > 10_000 { return nil }
                exponent = exponent * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
                sawExponentDigit = true
                index += 1
            }
            guard sawExponentDigit else { return nil }
            scale += exponentNegative ? -exponent : exponent
        }
        guard index == count, mantissa <= 1 << 53 else { return nil }
        var value = Double(mantissa)
        if mantissa != 0 {
            if scale < -22 || scale > 22 { return nil }
            value = scale < 0 ? value / exactPowers[-scale] : value * exactPowers[scale]
        }
        return negative ? -value : value
    }

    private static func special(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        var sign = 1.0
        var signed = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            sign = bytes[0] == UInt8(ascii: "-") ? -1 : 1
            signed = true
            index = 1
        }
        let rest = UnsafeBufferPointer(rebasing: bytes[index...])
        if matchesIgnoringCase(rest, "inf") || matchesIgnoringCase(rest, "infinity") {
            return sign * .infinity
        }
        // Go's special() falls through from a sign only to the infinity case: "+NaN" is invalid.
        if !signed && matchesIgnoringCase(rest, "nan") { return .nan }
        return nil
    }

    private static func matchesIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let expected = word.utf8Start
        for offset in 0..<bytes.count where bytes[offset] | 0x20 != expected[offset] {
            return false
        }
        return true
    }

    /// Go's float literal grammar with underscores as `underscoreOK` allows them.
    private static func isValidSyntax(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") { index = 1 }
        var hex = false
        // `previous` is the class of the last character: 0 digit or prefix, 1 underscore, 2 other.
        var previous = 2
        if count - index >= 2, bytes[index] == UInt8(ascii: "0"), bytes[index + 1] | 0x20 == UInt8(ascii: "x") {
            hex = true
            index += 2
            previous = 0
        }
        var mantissaDigits = 0
        var sawPoint = false
        while index < count {
            let byte = bytes[index]
            if isDigit(byte, hex: hex) {
                mantissaDigits += 1
                previous = 0
            } else if byte == UInt8(ascii: "_") {
                if previous != 0 { return false }
                previous = 1
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                if previous == 1 { return false }
                sawPoint = true
                previous = 2
            } else {
                break
            }
            index += 1
        }
        if previous == 1 || mantissaDigits == 0 { return false }
        let exponentMarker: UInt8 = hex ? UInt8(ascii: "p") : UInt8(ascii: "e")
        if index == count { return !hex }
        guard bytes[index] | 0x20 == exponentMarker else { return false }
        index += 1
        if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        var exponentDigits = 0
        previous = 2
        while index < count {
            let byte = bytes[index]
            if isDigit(byte, hex: false) {
                exponentDigits += 1
                previous = 0
            } else if byte == UInt8(ascii: "_") && previous == 0 {
                previous = 1
            } else {
                return false
            }
            index += 1
        }
        return exponentDigits > 0 && previous == 0
    }

    private static func isDigit(_ byte: UInt8, hex: Bool) -> Bool {
        if byte &- UInt8(ascii: "0") < 10 { return true }
        return hex && (byte | 0x20) &- UInt8(ascii: "a") < 6
    }

    private static func convertWithStrtod(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            var length = 0
            for byte in bytes where byte != UInt8(ascii: "_") {
                buffer[length] = CChar(bitPattern: byte)
                length += 1
            }
            buffer[length] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end - buffer.baseAddress! == length else { return nil }
            // Go reports values past the float64 range as ErrRange; underflow to zero is fine.
            return value.isInfinite ? nil : value
        }
    }
}
