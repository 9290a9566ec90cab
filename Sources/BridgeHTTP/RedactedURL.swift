/// Removes credentials from URLs and messages before they reach logs, errors or metrics.
///
/// User information (`user:password@`) is dropped and the values of query parameters that carry
/// secrets (`api_key`, `token`, `password`, …; StackState receivers take `api_key` in the query)
/// are replaced by `REDACTED`.
public enum RedactedURL {
    static let secretParameters: Set<String> = [
        "api_key", "apikey", "key", "token", "access_token", "password", "passwd", "secret", "auth",
    ]

    /// `url` without credentials.
    public static func string(_ url: String) -> String {
        var text = url
        if let scheme = text.range(of: "://") {
            let authorityStart = scheme.upperBound
            let authorityEnd =
                text[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? text.endIndex
            if let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") {
                text.removeSubrange(authorityStart...at)
            }
        }
        guard let query = text.firstIndex(of: "?") else { return text }
        let fragment = text[query...].firstIndex(of: "#") ?? text.endIndex
        let pairs = text[text.index(after: query)..<fragment].split(separator: "&", omittingEmptySubsequences: false)
        let redacted = pairs.map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, secretParameters.contains(parts[0].lowercased()) else { return String(pair) }
            return "\(parts[0])=REDACTED"
        }
        return String(text[..<query]) + "?" + redacted.joined(separator: "&") + String(text[fragment...])
    }

    /// `message` with every URL in it redacted (libcurl messages may quote URLs).
    public static func scrub(_ message: String) -> String {
        guard message.contains("://") else { return message }
        return message.split(separator: " ", omittingEmptySubsequences: false)
            .map { $0.contains("://") ? string(String($0)) : String($0) }
            .joined(separator: " ")
    }
}
