/// FNV-1a, 64 bits (Fowler, Noll, Vo; Go's `hash/fnv` `New64a`): a fast, stable, well-spread hash
/// of bytes, for what must hash alike across processes and restarts — a target's place in the
/// scrape interval, a spooled body's checksum, an object's kube-state-metrics shard.
public enum FNV1a64 {
    /// The offset basis, the hash of no bytes.
    public static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    /// The 64-bit FNV prime.
    public static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// The hash of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = offsetBasis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* prime
        }
        return hash
    }
}
