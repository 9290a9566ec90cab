import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What `/proc` and `getrusage` say about a process, and how many samples an exposition holds, for
/// benchmarks that measure peers and the bridge alike from the outside (proc(5)).
public enum ProcessStats {
    private static let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// CPU seconds (user + system) used so far by process `pid`; 0 when it is gone.
    public static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15.
        return (Double(fields[11]) ?? 0) / ticks + (Double(fields[12]) ?? 0) / ticks
    }

    /// CPU seconds (user + system) this process has used.
    public static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Sample lines (not comments) of the text exposition at `url`.
    public static func sampleLines(at url: String) async throws -> Int {
        let (data, _) = try await PeerProcess.fetch(url, accept: "text/plain;version=0.0.4", timeout: .seconds(120))
        return data.split(separator: UInt8(ascii: "\n")).filter { $0.first != UInt8(ascii: "#") }.count
    }

    /// The peak resident set size of process `pid` in bytes (`VmHWM`); 0 when it is gone.
    public static func peakRSSBytes(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        // "VmHWM:    123456 kB"
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
}
