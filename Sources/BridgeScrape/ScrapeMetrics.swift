import BridgeCore

/// The series Prometheus synthesizes for every scrape, with the same names and meanings
/// (Prometheus docs, "Jobs and instances": automatically generated labels and time series).
struct ScrapeMetrics {
    var up: Bool
    var durationSeconds: Double
    var samplesScraped: Int
    var samplesPostRelabeling: Int
    var seriesAdded: Int

    func batch(labels: [LabelPair]) -> MetricBatch {
        let entries: [(String, String, Double)] = [
            ("up", "1 if the target was scraped successfully, 0 otherwise.", up ? 1 : 0),
            ("scrape_duration_seconds", "Duration of the scrape.", durationSeconds),
            ("scrape_samples_scraped", "Samples the target exposed.", Double(samplesScraped)),
            (
                "scrape_samples_post_metric_relabeling", "Samples left after metric relabeling.",
                Double(samplesPostRelabeling)
            ),
            ("scrape_series_added", "Series in this scrape that were not in the previous one.", Double(seriesAdded)),
        ]
        return MetricBatch(
            entries.map { name, help, value in
                MetricFamilyValue(
                    name: name,
                    type: .gauge,
                    help: help,
                    samples: [MetricSampleValue(name: name, labels: labels, value: value)]
                )
            }
        )
    }
}
