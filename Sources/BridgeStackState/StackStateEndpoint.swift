import BridgeHTTP
import Foundation

/// The StackState receiver: its base URL (`…/receiver/stsAgent`), API key and connection options.
public struct StackStateEndpoint: Sendable, Hashable {
    /// The receiver's base URL, for example `https://tenant.app.stackstate.io/receiver/stsAgent`.
    public var url: String
    /// The API key. Read from `api_key_file` or `STS_API_KEY`; never logged.
    public var apiKey: String
    /// TLS (custom CA, skip verification) and proxy.
    public var security = EndpointSecurity()
    /// Timeout of one request (the agent's `forwarder_timeout`).
    public var timeout: Duration = .seconds(20)

    /// An endpoint at `url` with `apiKey`.
    public init(url: String, apiKey: String) {
        self.url = url
        self.apiKey = apiKey
    }

    /// `url` + `path` + `?api_key=` (the agent sends the key in the query and in a header).
    public func address(_ path: String) -> String {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let key = apiKey.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return base + path + "?api_key=" + key
    }
}
