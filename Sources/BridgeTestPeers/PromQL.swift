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
        let (data, _) = try await URLSession.shared.data(from: components.url!)
        struct Answer: Decodable {
            struct Result: Decodable {
                struct Sample: Decodable {
                    let metric: [String: String]
                    let value: [Value]
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
        let answer = try JSONDecoder().decode(Answer.self, from: data)
        return (answer.data?.result ?? []).map { sample in
            guard case .text(let text) = sample.value.last else { return (sample.metric, .nan) }
            return (sample.metric, Double(text) ?? .nan)
        }
    }
}
