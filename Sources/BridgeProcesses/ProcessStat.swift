/// The fields of `/proc/PID/stat` the collector needs, and the create-time arithmetic of the
/// process agent (gopsutil `fillFromStat`): `(starttime / CLK_TCK + btime) * 1000` with integer
/// division, so a create time always ends in 000 and equals the agent's for the same process
/// (reference/process-connections.md §1.3).
struct ProcessStat: Equatable {
    /// Field 4.
    var parentPID: Int32
    /// Field 22: clock ticks after boot when the process started.
    var startTicks: UInt64

    /// Parses a `stat` line; the command (field 2) may hold spaces and parentheses, so fields are
    /// counted from the last `)`.
    init?(_ line: [UInt8]) {
        guard let close = line.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = line[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        // fields[0] is field 3 (state); field N is fields[N - 3].
        guard fields.count > 19, let parent = Int32(String(decoding: fields[1], as: UTF8.self)),
            let start = UInt64(String(decoding: fields[19], as: UTF8.self))
        else { return nil }
        parentPID = parent
        startTicks = start
    }

    /// The create time in milliseconds since the epoch.
    func createTime(bootTime: Int64, clockTicks: Int64) -> Int64 {
        (Int64(startTicks) / clockTicks + bootTime) * 1000
    }

    /// `btime` of `/proc/stat`: the boot time in seconds since the epoch.
    static func bootTime(_ stat: [UInt8]) -> Int64? {
        for line in stat.split(separator: UInt8(ascii: "\n")) where line.starts(with: Array("btime ".utf8)) {
            return Int64(String(decoding: line.dropFirst(6), as: UTF8.self).trimmingSpaces)
        }
        return nil
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
