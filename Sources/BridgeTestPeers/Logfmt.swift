/// A reader of logfmt lines for tests: what the bridge writes must read back to what it logged.
public enum Logfmt {
    /// The fields of one logfmt line (`key=value` pairs, values bare or Go-quoted, as go-logfmt
    /// reads them); nil when the line is not logfmt.
    public static func parse(_ line: Substring) -> [String: String]? {
        var fields: [String: String] = [:]
        var scalars = Array(line.unicodeScalars)[...]
        while !scalars.isEmpty {
            while scalars.first == " " { scalars = scalars.dropFirst() }
            guard let equals = scalars.firstIndex(of: "=") else { return scalars.isEmpty ? fields : nil }
            let key = String(String.UnicodeScalarView(scalars[..<equals]))
            scalars = scalars[(equals + 1)...]
            var value = String.UnicodeScalarView()
            if scalars.first == "\"" {
                scalars = scalars.dropFirst()
                while let scalar = scalars.first, scalar != "\"" {
                    scalars = scalars.dropFirst()
                    guard scalar == "\\" else {
                        value.append(scalar)
                        continue
                    }
                    guard let escape = scalars.first else { return nil }
                    scalars = scalars.dropFirst()
                    switch escape {
                    case "n": value.append("\n")
                    case "r": value.append("\r")
                    case "t": value.append("\t")
                    case "u":
                        let hex = String(String.UnicodeScalarView(scalars.prefix(4)))
                        scalars = scalars.dropFirst(4)
                        guard let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else { return nil }
                        value.append(decoded)
                    default: value.append(escape)
                    }
                }
                guard scalars.first == "\"" else { return nil }
                scalars = scalars.dropFirst()
            } else {
                while let scalar = scalars.first, scalar != " " {
                    value.append(scalar)
                    scalars = scalars.dropFirst()
                }
            }
            fields[key] = String(value)
        }
        return fields
    }

}
