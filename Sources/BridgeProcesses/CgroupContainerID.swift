/// The container id in a process's `/proc/PID/cgroup`: the 64-hex-digit name the runtime gives
/// a container's cgroup, in the forms of cgroup v1 and v2, cgroupfs and systemd drivers
/// (`…/kubepods/besteffort/pod<uid>/<id>`, `…/cri-containerd-<id>.scope`, `docker-<id>.scope`,
/// `crio-<id>.scope`). Nil for a process outside containers.
enum CgroupContainerID {
    /// The id in `cgroup`, from the first line that names one.
    static func find(in cgroup: [UInt8]) -> String? {
        for line in cgroup.split(separator: UInt8(ascii: "\n")) {
            // `hierarchy-ID:controllers:path`; the path is after the second colon.
            guard let path = line.split(separator: UInt8(ascii: ":"), maxSplits: 2).last else { continue }
            for segment in path.split(separator: UInt8(ascii: "/")).reversed() {
                if let id = id(in: segment) { return id }
            }
        }
        return nil
    }

    /// The id a path segment names, with a runtime's prefix and `.scope` suffix taken off.
    private static func id(in segment: ArraySlice<UInt8>) -> String? {
        var name = String(decoding: segment, as: UTF8.self)
        if name.hasSuffix(".scope") { name.removeLast(6) }
        if let dash = name.lastIndex(of: "-") { name = String(name[name.index(after: dash)...]) }
        guard name.utf8.count == 64, name.utf8.allSatisfy(isHexDigit) else { return nil }
        return name
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
