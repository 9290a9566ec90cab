import Foundation
import GRDB
import Synchronization

/// Request bodies that could not be sent yet, on disk: one SQLite database per endpoint in WAL mode
/// (GRDB), so they survive receiver outages and the bridge's own restarts, SIGKILL included (the
/// WAL is written before a batch counts as spooled).
///
/// Bodies are kept encoded (snappy-compressed `WriteRequest`s) with their shard, and replayed per
/// shard in the order they were spooled, which keeps each series' samples in order. The total is
/// bounded by `max_disk_bytes`: beyond it the oldest batches are deleted and counted, never silently.
public final class RemoteWriteSpool: Sendable {
    /// One spooled request body.
    public struct Entry: Sendable, Hashable {
        /// Its row id, increasing in spool order.
        public var id: Int64
        /// The encoded request body.
        public var body: [UInt8]
        /// Samples it carries.
        public var samples: Int
        /// When it was spooled, in milliseconds since the epoch.
        public var spooledAt: Int64
    }

    /// The database file.
    public let path: String
    /// Most bytes of bodies kept.
    public let maxDiskBytes: Int
    private let database: DatabasePool
    private let evicted = Mutex((batches: 0, samples: 0))

    /// Opens (or creates) the spool at `directory/spool.sqlite`. A file that is not a sound SQLite
    /// database is moved aside to `spool.sqlite.corrupt-<time>` and a fresh spool started;
    /// `onCorrupt` is told where it went.
    public init(directory: String, maxDiskBytes: Int, onCorrupt: (String, String) -> Void = { _, _ in }) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/spool.sqlite"
        self.maxDiskBytes = maxDiskBytes
        do {
            database = try Self.open(path)
        } catch {
            let aside = path + ".corrupt-\(Int(Date().timeIntervalSince1970))"
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix)
            }
            onCorrupt(aside, "\(error)")
            database = try Self.open(path)
        }
    }

    private static func open(_ path: String) throws -> DatabasePool {
        var configuration = GRDB.Configuration()
        // WAL with synchronous NORMAL: a committed batch survives the process being killed.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let database = try DatabasePool(path: path, configuration: configuration)
        let check = try database.read { db in try String.fetchOne(db, sql: "PRAGMA quick_check") }
        guard check == "ok" else { throw SpoolError(message: "quick_check: \(check ?? "no answer")") }
        try database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS batches (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, shard INTEGER NOT NULL, spooled_at INTEGER NOT NULL,
                        samples INTEGER NOT NULL, bytes INTEGER NOT NULL, body BLOB NOT NULL);
                    CREATE INDEX IF NOT EXISTS batches_by_shard ON batches (shard, id);
                    """)
        }
        return database
    }

    /// Appends `body` for `shard`, then deletes the oldest batches while over `max_disk_bytes`.
    public func append(shard: Int, body: [UInt8], samples: Int, at time: Int64) throws {
        let dropped = try database.write { db -> (batches: Int, samples: Int) in
            try db.execute(
                sql: "INSERT INTO batches (shard, spooled_at, samples, bytes, body) VALUES (?, ?, ?, ?, ?)",
                arguments: [shard, time, samples, body.count, Data(body)])
            var total = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(bytes), 0) FROM batches") ?? 0
            var dropped = (batches: 0, samples: 0)
            while total > maxDiskBytes {
                guard
                    let oldest = try Row.fetchOne(db, sql: "SELECT id, bytes, samples FROM batches ORDER BY id LIMIT 1")
                else { break }
                try db.execute(sql: "DELETE FROM batches WHERE id = ?", arguments: [oldest["id"] as Int64])
                total -= oldest["bytes"] as Int
                dropped.batches += 1
                dropped.samples += oldest["samples"] as Int
            }
            return dropped
        }
        if dropped.batches > 0 {
            evicted.withLock { $0 = ($0.batches + dropped.batches, $0.samples + dropped.samples) }
        }
    }

    /// The oldest batch of `shard` (of `shardCount` shards: batches spooled with more shards than
    /// now are spread by their old shard number).
    public func oldest(shard: Int, of shardCount: Int) throws -> Entry? {
        try database.read { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT id, body, samples, spooled_at FROM batches WHERE shard % ? = ? ORDER BY id LIMIT 1",
                arguments: [shardCount, shard])
            return row.map { row in
                Entry(
                    id: row["id"], body: [UInt8](row["body"] as Data), samples: row["samples"],
                    spooledAt: row["spooled_at"])
            }
        }
    }

    /// Whether `shard` has spooled batches.
    public func hasBatches(shard: Int, of shardCount: Int) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM batches WHERE shard % ? = ?)", arguments: [shardCount, shard])
                ?? false
        }
    }

    /// Removes a batch that was sent or refused for good.
    public func remove(_ id: Int64) throws {
        try database.write { db in try db.execute(sql: "DELETE FROM batches WHERE id = ?", arguments: [id]) }
    }

    /// Bytes of bodies held, batches, and the oldest spool time (milliseconds), for self-metrics.
    public func usage() throws -> (bytes: Int, batches: Int, oldest: Int64?) {
        try database.read { db in
            let row = try Row.fetchOne(
                db,
                sql:
                    "SELECT COALESCE(SUM(bytes), 0) AS bytes, COUNT(*) AS batches, MIN(spooled_at) AS oldest FROM batches"
            )
            return (row?["bytes"] ?? 0, row?["batches"] ?? 0, row?["oldest"])
        }
    }

    /// Batches and samples deleted because the spool was full.
    public var evictions: (batches: Int, samples: Int) { evicted.withLock { $0 } }
}

/// A spool that cannot be used.
struct SpoolError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
