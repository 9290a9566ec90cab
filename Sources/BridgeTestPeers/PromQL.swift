import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Instant queries against a Prometheus-compatible HTTP API (Prometheus, VictoriaMetrics).
public enum PromQL {
    /// The result vector of `promQL` at `time` (seconds; now when nil) as (labels, value) pairs.
    public static func query(_ base: String, _ promQL: String, time: Double? = nil) async throws -> [(
        labels: [String: String], value: Double
    )] {
        var components = URLComponents(string: base + "/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: promQL)]
        if let time { components.queryItems?.append(URLQueryItem(name: "time", value: String(time))) }
        let answer = try JSONDecoder().decode(Answer.self, from: await body(components))
        return (answer.data?.result ?? []).map { sample in
            guard case .text(let text) = sample.value?.last else { return (sample.metric, .nan) }
            return (sample.metric, Double(text) ?? .nan)
        }
    }

    /// How Prometheus answered an instant query: `success` or `error`, the error's message, and
    /// how many series (or, for a scalar, 1) the result holds.
    public static func evaluate(_ base: String, _ promQL: String) async throws -> (
        status: String, error: String?, series: Int
    ) {
        var components = URLComponents(string: base + "/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: promQL)]
        let object = try JSONSerialization.jsonObject(with: await body(components)) as? [String: Any] ?? [:]
        let result = (object["data"] as? [String: Any])?["result"]
        let series = (result as? [Any])?.count ?? (result == nil ? 0 : 1)
        return (object["status"] as? String ?? "", object["error"] as? String, series)
    }

    /// The timestamps (seconds) of the stored samples of the first series `selector` matches
    /// over the last `range` (a range-vector query), oldest first.
    public static func sampleTimes(_ base: String, _ selector: String, range: String) async throws -> [Double] {
        var components = URLComponents(string: base + "/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: "\(selector)[\(range)]")]
        let answer = try JSONDecoder().decode(Answer.self, from: await body(components))
        return answer.data?.result.first?.values?.compactMap { pair in
            if case .number(let time) = pair.first { return time }
            return nil
        } ?? []
    }

    /// The body of the API's answer. The API answers in JSON, with 200 or with a 4xx/5xx that
    /// carries `status: error`; anything else (the plain-text 503 of a Prometheus still starting)
    /// is thrown with its status and first line, not handed to a JSON parser.
    static func body(_ components: URLComponents) async throws -> Data {
        let (data, response) = try await URLSession.shared.data(from: encoded(components))
        let type = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type") ?? ""
        guard type.hasPrefix("application/json") else {
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            let text = String(decoding: data.prefix(200), as: UTF8.self).split(separator: "\n").first ?? ""
            throw PeerError("\(components.path) answered \(status) \(type): \(text)")
        }
        return data
    }

    /// The URL with `+` percent-encoded: URLComponents leaves it as it is, and Prometheus' form
    /// parser reads a bare `+` as a space.
    static func encoded(_ components: URLComponents) -> URL {
        var components = components
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.url!
    }

    /// A query answer: vectors carry `value`, matrices `values`; a pair is [time, "value"].
    struct Answer: Decodable {
        struct Result: Decodable {
            struct Sample: Decodable {
                let metric: [String: String]
                let value: [Value]?
                let values: [[Value]]?
            }
            let result: [Sample]
        }
        enum Value: Decodable {
            case number(Double)
            case text(String)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let number = try? container.decode(Double.self) {
                    self = .number(number)
                } else {
                    self = .text(try container.decode(String.self))
                }
            }
        }
        let data: Result?
    }
}
