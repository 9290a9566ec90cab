#if canImport(Glibc)
    import Glibc
#endif

/// Settings of the C allocator, made before the bridge starts its threads.
enum AllocatorTuning {
    /// glibc's `M_ARENA_MAX` parameter of `mallopt` (malloc.h, which Swift's Glibc module leaves out).
    private static let arenaMaxParameter: Int32 = -8

    /// Caps glibc's malloc arenas at two, unless the operator set `MALLOC_ARENA_MAX`. glibc gives
    /// threads that contend for the allocator arenas of their own, up to eight per core, and memory
    /// freed into one arena serves only that arena; a bridge whose scrapes move between threads
    /// then holds several arenas' worth of its largest scrape. Two arenas lowered peak RSS by
    /// about a fifth at 11,000 pods, at no measurable CPU cost (docs/performance.md). Looked up at
    /// run time, so that a C library without `mallopt` is simply left alone.
    static func apply() {
        #if canImport(Glibc)
            guard getenv("MALLOC_ARENA_MAX") == nil, let symbol = dlsym(nil, "mallopt") else { return }
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMaxParameter, 2)
        #endif
    }
}
