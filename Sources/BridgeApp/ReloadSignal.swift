import Dispatch
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// Turns SIGHUP into a configuration reload for as long as the bridge runs, as Prometheus does;
/// without it the default action of SIGHUP ends the process.
struct ReloadSignal: ServiceLifecycle.Service {
    let reloader: ConfigurationReloader

    func run() async throws {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { [reloader] in reloader.reload(trigger: "SIGHUP") }
        source.resume()
        defer { source.cancel() }
        try? await gracefulShutdown()
    }
}
