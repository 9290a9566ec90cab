#if canImport(Glibc)
    import Glibc
#endif

/// Settings and calls of the C allocator. glibc's are looked up at run time: malloc.h is not in
/// Swift's Glibc module, and a C library without them is simply left alone.
public enum AllocatorTuning {
    /// glibc's `M_ARENA_MAX` parameter of `mallopt`.
    private static let arenaMaxParameter: Int32 = -8

    /// Caps glibc's malloc arenas at two, unless the operator set `MALLOC_ARENA_MAX`; made before
    /// the bridge starts its threads. glibc gives threads that contend for the allocator arenas of
    /// their own, up to eight per core, and memory freed into one arena serves only that arena; a
    /// bridge whose scrapes move between threads then holds several arenas' worth of its largest
    /// scrape. Two arenas lowered peak RSS by about a fifth at 11,000 pods, at no measurable CPU
    /// cost (docs/performance.md).
    public static func apply() {
        #if canImport(Glibc)
            guard getenv("MALLOC_ARENA_MAX") == nil else { return }
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            _ = glibcFunction("mallopt", as: Mallopt.self)?(arenaMaxParameter, 2)
        #endif
    }

    /// Hands the memory freed inside glibc's heap back to the system (`malloc_trim(0)`); glibc
    /// returns only the top of the heap by itself (MemoryReturner).
    public static func returnFreedMemory() {
        #if canImport(Glibc)
            typealias MallocTrim = @convention(c) (Int) -> Int32
            _ = glibcFunction("malloc_trim", as: MallocTrim.self)?(0)
        #endif
    }

    #if canImport(Glibc)
        private static func glibcFunction<F>(_ name: String, as type: F.Type) -> F? {
            dlsym(nil, name).map { unsafeBitCast($0, to: type) }
        }
    #endif
}
