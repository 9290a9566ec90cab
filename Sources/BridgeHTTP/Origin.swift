import Foundation

/// A URL's origin (RFC 6454): scheme, host and port, the unit credentials are configured for.
struct Origin: Equatable {
    let scheme: String
    let host: String
    let port: Int

    /// The origin of `url`, or an empty one when it has none.
    init(_ url: String) {
        let components = URLComponents(string: url)
        scheme = components?.scheme?.lowercased() ?? ""
        host = components?.host?.lowercased() ?? ""
        port = components?.port ?? (scheme == "https" ? 443 : 80)
    }

    /// `location` (absolute or relative, as a `Location` header has it) resolved against `base`.
    static func resolve(_ location: String, against base: String) -> String? {
        guard let baseURL = URL(string: base), let resolved = URL(string: location, relativeTo: baseURL) else {
            return nil
        }
        let absolute = resolved.absoluteString
        return ["http", "https"].contains(URL(string: absolute)?.scheme?.lowercased() ?? "") ? absolute : nil
    }
}
