import Synchronization

/// The strings that the records of one ``PodTable`` refer to by number.
///
/// Append-only: a record written against an earlier state still reads back, so copies of a table
/// (snapshots) can share one instance while the original keeps growing it. Readers take the string
/// array once (a copy-on-write reference) and decode without holding the lock.
final class RecordSymbols: Sendable {
    /// The strings and their numbers.
    struct Storage {
        var strings: [String] = []
        var ids: [String: UInt32] = [:]

        /// The number of `string`, added when new.
        mutating func intern(_ string: String) -> UInt32 {
            if let id = ids[string] { return id }
            let id = UInt32(strings.count)
            strings.append(string)
            ids[string] = id
            return id
        }
    }

    private let storage = Mutex(Storage())

    /// Runs `body` with exclusive access to the storage.
    func withStorage<R>(_ body: (inout Storage) -> R) -> R {
        storage.withLock { body(&$0) }
    }

    /// Every string so far, indexed by number.
    var strings: [String] { storage.withLock { $0.strings } }

    /// How many strings are held.
    var count: Int { storage.withLock { $0.strings.count } }
}
