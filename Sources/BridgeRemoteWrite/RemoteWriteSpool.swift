import BridgeCore
import Foundation
import GRDB
import Synchronization

/// Request bodies that could not be sent yet, on disk: one SQLite database per endpoint in WAL mode
/// (GRDB), so they survive receiver outages and the bridge's own restarts, SIGKILL included (the
/// WAL is written before a batch counts as spooled).
///
/// Bodies are kept encoded (snappy-compressed `WriteRequest`s) with their shard and a checksum,
/// and replayed per shard in the order they were spooled, which keeps each series' samples in
/// order; a body that does not match its checksum is dropped and counted, never sent. The files on
/// disk (database and WAL) are bounded by `max_disk_bytes`: beyond it the oldest batches are
/// deleted and counted, never silently. A damaged database is moved aside after every batch that
/// can still be read from it has been copied into a fresh one.
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

    /// The smallest `max_disk_bytes`: the database's own pages and the WAL's share need this much.
    public static let minimumDiskBytes = 1 << 20

    /// The database file.
    public let path: String
    /// Most bytes the spool's files take on disk.
    public let maxDiskBytes: Int
    /// Batches copied out of a damaged database when the spool was opened.
    public let salvaged: Int
    private let database: DatabasePool
    private let evicted = Mutex((batches: 0, samples: 0))
    private let corrupt = Mutex((batches: 0, samples: 0))

    /// Opens (or creates) the spool at `directory/spool.sqlite`. A file that is not a sound SQLite
    /// database is moved aside to `spool.sqlite.corrupt-<time>` and a fresh spool started with
    /// every batch that could still be read from it; `onCorrupt` is told where it went and why.
    public init(directory: String, maxDiskBytes: Int, onCorrupt: (String, String) -> Void = { _, _ in }) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/spool.sqlite"
        self.maxDiskBytes = max(maxDiskBytes, Self.minimumDiskBytes)
        do {
            database = try Self.open(path, maxDiskBytes: self.maxDiskBytes)
            salvaged = 0
        } catch {
            let aside = path + ".corrupt-\(Int(Date().timeIntervalSince1970))"
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix)
            }
            database = try Self.open(path, maxDiskBytes: self.maxDiskBytes)
            salvaged = Self.salvage(from: aside, into: database)
            onCorrupt(aside, "\(error); \(salvaged) batches salvaged")
        }
    }

    /// The WAL's share of `maxDiskBytes`: it is checkpointed and truncated at this size.
    static func walBytes(_ maxDiskBytes: Int) -> Int { min(4 << 20, maxDiskBytes / 8) }

    private static func open(_ path: String, maxDiskBytes: Int) throws -> DatabasePool {
        var configuration = GRDB.Configuration()
        let wal = walBytes(maxDiskBytes)
        configuration.prepareDatabase { db in
            // WAL with synchronous NORMAL: a committed batch survives the process being killed. The
            // WAL is checkpointed and truncated at its share of the disk bound.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(max(16, wal / 4096))")
            try db.execute(sql: "PRAGMA journal_size_limit = \(wal)")
        }
        let database = try DatabasePool(path: path, configuration: configuration)
        let check = try database.read { db in try String.fetchOne(db, sql: "PRAGMA quick_check") }
        guard check == "ok" else { throw SpoolError(message: "quick_check: \(check ?? "no answer")") }
        try database.writeWithoutTransaction { db in
            // Freed pages go back to the file system (only takes effect on a new database).
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS batches (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, shard INTEGER NOT NULL, spooled_at INTEGER NOT NULL,
                        samples INTEGER NOT NULL, bytes INTEGER NOT NULL, body BLOB NOT NULL);
                    CREATE INDEX IF NOT EXISTS batches_by_shard ON batches (shard, id);
                    """)
            // Spools written before batches had checksums gain the column; their rows stay unchecked.
            let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(batches)").map { $0["name"] as String }
            if !columns.contains("checksum") {
                try db.execute(sql: "ALTER TABLE batches ADD COLUMN checksum INTEGER")
            }
        }
        return database
    }

    /// FNV-1a 64 of a body, stored with it and compared before it is sent.
    static func checksum(_ body: [UInt8]) -> Int64 {
        Int64(bitPattern: FNV1a64.hash(body))
    }

    /// Copies every batch that can still be read, and whose checksum matches, from the damaged
    /// database at `aside` into `database`, in spool order; returns how many.
    static func salvage(from aside: String, into database: DatabasePool) -> Int {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        guard let damaged = try? DatabaseQueue(path: aside, configuration: configuration) else { return 0 }
        var copied = 0
        // Counted as it goes: ending the read of a damaged file may fail after the rows were read.
        _ = try? damaged.read { old in
            // A full scan stops at the first bad page; the ids between the ends are tried one by one.
            var ids = (try? Int64.fetchAll(old, sql: "SELECT id FROM batches ORDER BY id")) ?? []
            if let low = try? Int64.fetchOne(old, sql: "SELECT MIN(id) FROM batches"),
                let high = try? Int64.fetchOne(old, sql: "SELECT MAX(id) FROM batches"), high >= low,
                high - low < 10_000_000
            {
                ids = Array(low...high)
            }
            for id in ids {
                guard
                    let row = try? Row.fetchOne(
                        old, sql: "SELECT * FROM batches WHERE id = ?", arguments: [id]),
                    let body = (row["body"] as Data?).map({ [UInt8]($0) }),
                    (row["checksum"] as Int64?).map({ $0 == checksum(body) }) ?? true
                else { continue }
                let inserted: Void? = try? database.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO batches (shard, spooled_at, samples, bytes, body, checksum)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            row["shard"] as Int, row["spooled_at"] as Int64, row["samples"] as Int, body.count,
                            Data(body), checksum(body),
                        ])
                }
                if inserted != nil { copied += 1 }
            }
        }
        return copied
    }

    /// Appends `body` for `shard`, then deletes the oldest batches while the files would exceed
    /// `max_disk_bytes`: the database's pages in use may take what is left after the WAL's share,
    /// the frames one such transaction adds to the WAL before it is checkpointed (the body and the
    /// pages the deletions and the vacuum rewrite: about three times the body), and the shared
    /// memory file.
    public func append(shard: Int, body: [UInt8], samples: Int, at time: Int64) throws {
        let budget = maxDiskBytes - Self.walBytes(maxDiskBytes) - 3 * body.count - (64 << 10)
        let dropped = try database.write { db -> (batches: Int, samples: Int) in
            try db.execute(
                sql: """
                    INSERT INTO batches (shard, spooled_at, samples, bytes, body, checksum) VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [shard, time, samples, body.count, Data(body), Self.checksum(body)])
            var dropped = (batches: 0, samples: 0)
            while try Self.pagesInUse(db) > budget {
                guard
                    let oldest = try Row.fetchOne(db, sql: "SELECT id, samples FROM batches ORDER BY id LIMIT 1")
                else { break }
                try db.execute(sql: "DELETE FROM batches WHERE id = ?", arguments: [oldest["id"] as Int64])
                dropped.batches += 1
                dropped.samples += oldest["samples"] as Int
            }
            if dropped.batches > 0 { try db.execute(sql: "PRAGMA incremental_vacuum") }
            return dropped
        }
        if dropped.batches > 0 {
            evicted.withLock { $0 = ($0.batches + dropped.batches, $0.samples + dropped.samples) }
        }
    }

    /// Bytes of the database's pages that hold data (free pages are returned by the vacuum).
    private static func pagesInUse(_ db: Database) throws -> Int {
        let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        let size = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        return (pages - free) * size
    }

    /// Bytes the spool's files take on disk now: the database, its WAL and shared memory.
    public var diskBytes: Int {
        ["", "-wal", "-shm"].reduce(0) { total, suffix in
            let size = (try? FileManager.default.attributesOfItem(atPath: path + suffix))?[.size] as? NSNumber
            return total + (size?.intValue ?? 0)
        }
    }

    /// The oldest batch of `shard` (of `shardCount` shards: batches spooled with more shards than
    /// now are spread by their old shard number). A batch whose body does not match its checksum
    /// is deleted and counted (``corruptions``) rather than returned: the receiver would store it
    /// as wrong data.
    public func oldest(shard: Int, of shardCount: Int) throws -> Entry? {
        while true {
            let found = try database.read { db in
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT id, body, samples, spooled_at, checksum FROM batches WHERE shard % ? = ?
                        ORDER BY id LIMIT 1
                        """,
                    arguments: [shardCount, shard])
            }
            guard let row = found else { return nil }
            let entry = Entry(
                id: row["id"], body: [UInt8](row["body"] as Data), samples: row["samples"],
                spooledAt: row["spooled_at"])
            if let stored = row["checksum"] as Int64?, stored != Self.checksum(entry.body) {
                try remove(entry.id)
                corrupt.withLock { $0 = ($0.batches + 1, $0.samples + entry.samples) }
                continue
            }
            return entry
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

    /// Batches and samples dropped unsent because their bodies did not match their checksums.
    public var corruptions: (batches: Int, samples: Int) { corrupt.withLock { $0 } }
}

/// A spool that cannot be used.
struct SpoolError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
