#if canImport(Glibc)
    import Glibc
#endif

/// Reads the small files and links of a `/proc` tree with plain system calls and one reused
/// buffer: a walk reads a few files for each of a thousand processes and a link for each of
/// fifty thousand descriptors every interval, so each read costs only its system calls.
struct ProcFiles {
    /// The tree's root: `/proc`, or the host's mounted elsewhere (`HOST_PROC`), or a fixture.
    let root: String
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(root: String) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
    }

    /// The whole file at `path` under the root, nil when it cannot be read (the process ended,
    /// or access is denied).
    mutating func read(_ path: String) -> [UInt8]? {
        let descriptor = open(root + "/" + path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { return contents }
            contents.append(contentsOf: buffer[0..<count])
        }
    }

    /// Calls `body` with each line (without its newline) of the file at `path` under the root,
    /// reading it a buffer at a time: a node's `net/tcp` can be megabytes, and holding it whole
    /// (and its growth while reading) was most of a walk's peak memory. False when it cannot be read.
    mutating func forEachLine(_ path: String, _ body: (ArraySlice<UInt8>) -> Void) -> Bool {
        let descriptor = open(root + "/" + path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var pending: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            if count == 0 { break }
            var start = 0
            for index in 0..<count where buffer[index] == UInt8(ascii: "\n") {
                if pending.isEmpty {
                    body(buffer[start..<index])
                } else {
                    pending.append(contentsOf: buffer[start..<index])
                    body(pending[...])
                    pending.removeAll(keepingCapacity: true)
                }
                start = index + 1
            }
            pending.append(contentsOf: buffer[start..<count])
        }
        if !pending.isEmpty { body(pending[...]) }
        return true
    }

    /// The target of the link at `path` under the root, nil when it is not a readable link.
    mutating func link(_ path: String) -> String? {
        let count = buffer.withUnsafeMutableBytes { bytes in
            readlink(root + "/" + path, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// The names in the directory at `path` under the root (without `.` and `..`); empty when it
    /// cannot be listed.
    func names(in path: String) -> [String] {
        guard let directory = opendir(path.isEmpty ? root : root + "/" + path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The inode in a `socket:[N]` or `net:[N]` link target, or nil.
    static func inode(in target: String, prefix: String) -> UInt64? {
        guard target.hasPrefix(prefix + ":["), target.hasSuffix("]") else { return nil }
        return UInt64(target.dropFirst(prefix.count + 2).dropLast())
    }
}
