import BridgeCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The process metrics every Prometheus client library exports (client_golang's process
/// collector: CPU, memory, file descriptors, start time), read from `/proc/self` at each render,
/// so that the bridge's own dashboards and alerts can use the names they use for any exporter.
enum ProcessMetrics {
    /// The families, in the order they are rendered.
    static let familyNames = [
        "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
        "process_start_time_seconds", "process_open_fds", "process_max_fds",
    ]

    /// The families now; none where `/proc` cannot be read.
    static func families() -> [MetricFamilyValue] {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return [] }
        // After "pid (comm)", field 3 (state) comes first: utime is field 14, stime 15, starttime 22,
        // vsize 23 and rss 24 (proc(5)).
        let fields = stat[stat.index(after: close)...].split(separator: " ").map { Double($0) }
        guard fields.count > 21, let utime = fields[11], let stime = fields[12], let start = fields[19],
            let virtual = fields[20], let resident = fields[21]
        else { return [] }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let openFiles = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        let values: [(String, MetricType, String, Double)] = [
            (
                "process_cpu_seconds_total", .counter, "Total user and system CPU time spent in seconds.",
                (utime + stime) / ticks
            ),
            ("process_resident_memory_bytes", .gauge, "Resident memory size in bytes.", resident * page),
            ("process_virtual_memory_bytes", .gauge, "Virtual memory size in bytes.", virtual),
            (
                "process_start_time_seconds", .gauge, "Start time of the process since unix epoch in seconds.",
                bootTime() + start / ticks
            ),
            ("process_open_fds", .gauge, "Number of open file descriptors.", Double(openFiles)),
            ("process_max_fds", .gauge, "Maximum number of open file descriptors.", Double(limit.rlim_cur)),
        ]
        return values.map { name, type, help, value in
            MetricFamilyValue(
                name: name, type: type, help: help, samples: [MetricSampleValue(name: name, labels: [], value: value)])
        }
    }

    /// When the machine booted, from `/proc/stat`'s `btime`, in seconds since the epoch.
    private static func bootTime() -> Double {
        let stat = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8)) ?? ""
        let line = stat.split(separator: "\n").first { $0.hasPrefix("btime ") }
        return line.flatMap { Double($0.dropFirst("btime ".count)) } ?? 0
    }
}
