/// A completed HTTP exchange.
public struct HTTPResponse: Sendable {
    /// The status code of the final response (after redirects).
    public var status: Int
    /// Response headers of the final response, names lower-cased, in order.
    public var headers: [(name: String, value: String)]
    /// The decoded body.
    public var body: [UInt8]
    /// The HTTP version used: 1.0, 1.1, 2 or 3 as `"1.1"`, `"2"`.
    public var httpVersion: String

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8], httpVersion: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
