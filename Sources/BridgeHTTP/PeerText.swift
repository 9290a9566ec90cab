/// Text a peer sent (a response body, an error message, a watch event's message), made safe to
/// quote in a log line, an error or a status page: every registered secret and every credential
/// in a URL or a header line replaced by `REDACTED`, control characters escaped so that one quote
/// stays on one line and cannot forge another or drive a terminal, and the length bounded.
public enum PeerText {
    /// The most characters quoted; the rest is counted, not shown.
    public static let defaultLimit = 300

    /// Header names whose values are credentials wherever they appear in quoted text.
    static let credentialHeaders = ["authorization", "proxy-authorization", "sts-api-key", "x-api-key", "api-key"]

    /// `text`, redacted, escaped and bounded.
    public static func quote(
        _ text: String, limit: Int = defaultLimit, secrets: SecretRegistry = .shared
    ) -> String {
        let redacted = secrets.redact(maskCredentialHeaders(RedactedURL.scrub(text)))
        var quoted = ""
        var characters = 0
        var rest = 0
        for scalar in redacted.unicodeScalars {
            if characters >= limit {
                rest += 1
                continue
            }
            characters += 1
            switch scalar {
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case _
            where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
                || scalar.value == 0x2029:
                quoted += "\\u{\(String(scalar.value, radix: 16))}"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return rest == 0 ? quoted : quoted + "… (\(rest) more characters)"
    }

    /// The bytes as UTF-8 (invalid sequences replaced), quoted.
    public static func quote(bytes: some Collection<UInt8>, limit: Int = defaultLimit) -> String {
        quote(String(decoding: bytes.prefix(limit * 4), as: UTF8.self), limit: limit)
    }

    /// Each `Name: value` of a credential header, to the end of its line, as `Name: REDACTED`.
    static func maskCredentialHeaders(_ text: String) -> String {
        let lower = text.lowercased()
        guard credentialHeaders.contains(where: { lower.contains($0 + ":") }) else { return text }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for index in lines.indices {
            let line = lines[index]
            let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
            guard let colon = trimmed.firstIndex(of: ":"),
                credentialHeaders.contains(trimmed[..<colon].lowercased())
            else { continue }
            lines[index] = String(trimmed[...colon]) + " REDACTED" + (line.hasSuffix("\r") ? "\r" : "")
        }
        return lines.joined(separator: "\n")
    }
}
