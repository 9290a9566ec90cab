/// The host and port of an http(s) URL, enough to rewrite the host for a TLS server-name override.
public struct HostAndPort: Sendable {
    /// The host (IPv6 addresses in brackets).
    public let host: String
    /// The port, explicit or the scheme's default.
    public let port: Int
    private let hostRange: Range<String.Index>

    /// The host and port of `url`; nil when it is not an http(s) URL with a host.
    public init?(url: String) {
        guard let scheme = url.range(of: "://") else { return nil }
        let isHTTPS = url[..<scheme.lowerBound].lowercased() == "https"
        var start = scheme.upperBound
        let end = url[start...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? url.endIndex
        if let at = url[start..<end].lastIndex(of: "@") { start = url.index(after: at) }
        let authority = url[start..<end]
        var hostEnd = end
        var port = isHTTPS ? 443 : 80
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            hostEnd = url.index(after: close)
        } else if let colon = authority.lastIndex(of: ":") {
            hostEnd = colon
        }
        if hostEnd < end, url[hostEnd] == ":" {
            guard let parsed = Int(url[url.index(after: hostEnd)..<end]) else { return nil }
            port = parsed
        } else if hostEnd < end, url[hostEnd] == "]" {
            hostEnd = url.index(after: hostEnd)
        }
        guard start < hostEnd else { return nil }
        host = String(url[start..<hostEnd])
        self.port = port
        hostRange = start..<hostEnd
    }

    /// `url` with its host replaced.
    func replacingHost(in url: String, with newHost: String) -> String {
        var copy = url
        copy.replaceSubrange(hostRange, with: newHost)
        return copy
    }
}
