import Foundation
import Synchronization

/// A bearer token read from a file and read again whenever the file changes.
///
/// Kubernetes projects service-account tokens into pods and rotates them (by default hourly, the
/// file being replaced through a symlink swap); a client that read the token once would start
/// failing with 401 after rotation. Each use compares the file's modification time, size and
/// inode with the cached ones, which costs one `stat`.
final class BearerTokenFile: Sendable {
    private struct Cached {
        var stamp: [Int64]
        var token: String
    }

    let path: String
    private let cache = Mutex<Cached?>(nil)

    init(path: String) {
        self.path = path
    }

    /// The current token; throws ``HTTPError`` of kind `auth` when the file cannot be read or is empty.
    func token(for url: String) throws -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw HTTPError(kind: .auth, url: url, detail: "cannot read bearer token file \(path)")
        }
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let stamp = [
            Int64(modified * 1_000_000), (attributes[.size] as? NSNumber)?.int64Value ?? -1,
            (attributes[.systemFileNumber] as? NSNumber)?.int64Value ?? -1,
        ]
        if let cached = cache.withLock({ $0 }), cached.stamp == stamp { return cached.token }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HTTPError(kind: .auth, url: url, detail: "cannot read bearer token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw HTTPError(kind: .auth, url: url, detail: "bearer token file \(path) is empty")
        }
        cache.withLock { $0 = Cached(stamp: stamp, token: token) }
        return token
    }
}

/// Token files shared by every request that names the same path, so each file is cached once.
final class BearerTokenFiles: Sendable {
    private let files = Mutex<[String: BearerTokenFile]>([:])

    func file(_ path: String) -> BearerTokenFile {
        files.withLock { files in
            if let file = files[path] { return file }
            let file = BearerTokenFile(path: path)
            files[path] = file
            return file
        }
    }
}
