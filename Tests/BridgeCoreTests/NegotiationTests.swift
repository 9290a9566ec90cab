import BridgeCore
import Testing

/// Accept headers as real scrapers send them (reference/prometheus-side.md §2.3) and the format each gets.
let acceptHeaders: [(String?, ExpositionFormat)] = [
    (nil, .text),
    ("", .text),
    // Prometheus 2.42 default.
    (
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1", .openMetrics
    ),
    // Prometheus 2.42 with native histograms: protobuf first, which we do not serve.
    (
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,"
            + "application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1", .openMetrics
    ),
    // Prometheus 3.x default.
    (
        "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
            + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
            + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1", .openMetrics
    ),
    // Prometheus 3.x with scrape_protocols set to text only.
    ("text/plain;version=0.0.4;q=0.5,*/*;q=0.1", .text),
    ("text/plain;version=1.0.0", .text),
    ("application/openmetrics-text;version=0.0.1", .text),
    ("application/openmetrics-text", .openMetrics),
    ("application/openmetrics-text; version=\"1.0.0\"; q=0.9, text/plain; q=0.95", .text),
    ("application/openmetrics-text;q=0, */*", .text),
    ("application/json", .text),
    ("*/*", .text),
    ("TEXT/PLAIN", .text),
]

@Suite struct NegotiationTests {
    @Test(arguments: acceptHeaders)
    func picksTheFormat(_ accept: String?, _ expected: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: accept) == expected)
    }

    @Test func contentTypesAreConcrete() {
        #expect(ExpositionFormat.text.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(
            ExpositionFormat.openMetrics.contentType == "application/openmetrics-text; version=1.0.0; charset=utf-8")
    }

    @Test(arguments: [
        ("application/openmetrics-text; version=1.0.0; charset=utf-8" as String?, ExpositionFormat.openMetrics),
        ("text/plain; version=0.0.4", .text), (nil, .text), ("application/json", .text),
    ])
    func bodyFormatFromContentType(_ contentType: String?, _ expected: ExpositionFormat) {
        #expect(ExpositionFormat(contentType: contentType) == expected)
    }
}
