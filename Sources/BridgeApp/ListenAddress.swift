/// Where the server listens: `HOST:PORT` (`[IPv6]:PORT`, or `:PORT` for every address), parsed once
/// when the configuration or the `--listen` flag is read, so that nothing later can fail on it.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The host name or address; `0.0.0.0` for every IPv4 address.
    public var host: String
    /// The TCP port, 0 for any free one.
    public var port: Int

    /// What is expected, for messages.
    public static let expected = "HOST:PORT, for example 0.0.0.0:10057"

    /// The address in `text`, or nil when it is not `HOST:PORT` with a port from 0 to 65535.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil  // An IPv6 address needs its brackets: "[::1]:10057".
        }
        guard !host.contains(where: { $0.isWhitespace || $0 == "/" }) else { return nil }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    /// An address written in code; it must parse.
    public init(stringLiteral text: String) {
        guard let address = ListenAddress(parsing: text) else { preconditionFailure("not HOST:PORT: \(text)") }
        self = address
    }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
