import ServiceLifecycle

/// Hands the memory that glibc's allocator keeps after it is freed back to the system, every
/// `interval` (and after each topology build, `TopologyRefresher`). glibc returns only the top
/// of its heap by itself; the holes that each scrape round's buffers leave among longer-lived
/// allocations stay resident, and at 11,000 pods they added about 100 MB to the bridge's peak
/// memory. `malloc_trim` releases the free pages inside the heap too; every 10 s it costs about
/// 7 % more CPU there, in page faults when the next round takes the pages again
/// (docs/performance.md, "Where the time goes").
struct MemoryReturner: ServiceLifecycle.Service {
    /// How often freed memory is returned.
    let interval: Duration

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // A graceful shutdown ends the wait; the loop condition then stops the service.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            AllocatorTuning.returnFreedMemory()
        }
    }
}

extension MemoryReturner: CustomStringConvertible {
    /// The name service lifecycle logs use.
    var description: String { "MemoryReturner" }
}
