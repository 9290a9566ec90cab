import BridgeCore

/// One shard of kube-state-metrics' horizontal sharding (`--shard`, `--total-shards`, or the
/// ordinal and replica count of its auto-sharded StatefulSet): an object belongs to the shard that
/// Jump consistent hash (Lamping and Veach, 2014) picks for the FNV-64a hash of its UID, as
/// kube-state-metrics decides it (`pkg/sharding/listwatch.go`, `keep`; reference/large-clusters.md
/// §1.1). Growing from N to N+1 shards moves about 1/(N+1) of the objects, all to the new shard.
public struct KubeStateMetricsShard: Sendable, Hashable {
    /// This shard's number, from 0.
    public let ordinal: Int
    /// How many shards there are.
    public let total: Int

    /// Shard `ordinal` of `total`; nil unless `0 <= ordinal < total`.
    public init?(ordinal: Int, total: Int) {
        guard total > 0, (0..<total).contains(ordinal) else { return nil }
        self.ordinal = ordinal
        self.total = total
    }

    /// Whether the object with `uid` is this shard's.
    public func keeps(uid: String) -> Bool {
        Self.jump(FNV1a64.hash(uid.utf8), buckets: total) == ordinal
    }

    /// Jump consistent hash: the bucket in `0..<buckets` for `key` (the paper's algorithm, with its
    /// linear congruential step and 31-bit scaling).
    public static func jump(_ key: UInt64, buckets: Int) -> Int {
        var key = key
        var bucket: Int64 = -1
        var next: Int64 = 0
        while next < Int64(buckets) {
            bucket = next
            key = key &* 2_862_933_555_777_941_757 &+ 1
            next = Int64(Double(bucket + 1) * (Double(Int64(1) << 31) / Double((key >> 33) + 1)))
        }
        return Int(bucket)
    }
}
