import BridgeHTTP
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Leader election on a `coordination.k8s.io/v1` Lease, with the rules of client-go's
/// `leaderelection` package, so that of the `cluster` Deployment's replicas exactly one forwards.
///
/// Every retry period each replica reads the lease. A replica takes it when it does not exist, is
/// released (no holder), or has not changed for a lease duration as this replica observed it — its
/// own clock measures how long the record stayed unchanged, so clock skew between nodes does not
/// matter. Every write names the `resourceVersion` it read, so of two replicas racing for the
/// lease the API server lets one win (409 Conflict for the other). The holder renews every retry
/// period; when it has not managed to for the renew deadline, or sees another holder, it steps
/// down. On graceful shutdown the holder releases the lease, and a standby takes over within one
/// retry period instead of one lease duration.
public final class LeaderElector: ServiceLifecycle.Service, Sendable {
    /// What to hold and how.
    public struct Settings: Sendable, Hashable {
        /// The lease's name.
        public var leaseName: String
        /// The lease's namespace.
        public var namespace: String
        /// This replica's identity (pod name plus a random suffix).
        public var identity: String
        /// How long others wait after the last renewal before taking over (client-go: 15 s).
        public var leaseDuration: Duration
        /// How long the holder keeps trying to renew before it steps down (client-go: 10 s).
        public var renewDeadline: Duration
        /// How often everyone looks at the lease (client-go: 2 s).
        public var retryPeriod: Duration

        /// Settings with client-go's default timings.
        public init(
            leaseName: String, namespace: String, identity: String, leaseDuration: Duration = .seconds(15),
            renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2)
        ) {
            self.leaseName = leaseName
            self.namespace = namespace
            self.identity = identity
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
        }

        /// `$POD_NAME` (else the host name) and a random suffix, so that a restarted pod with the
        /// same name is a new candidate rather than a holder that skipped its renewals.
        public static func identity(environment: [String: String]) -> String {
            let name = environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName
            return "\(name)_\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        }
    }

    /// What one look at the lease found.
    enum Attempt: Equatable {
        /// This replica holds the lease (acquired or renewed).
        case holding
        /// Another replica holds a lease that is still valid.
        case heldBy(String)
        /// The API server could not be asked, or another replica won a race.
        case failed
    }

    /// The settings.
    public let settings: Settings
    let config: APIServerConfig
    let client: HTTPClient
    let logger: Logger
    /// Where the outcome is published.
    public let leadership: Leadership
    /// The record last read and when this replica first saw it (its own clock).
    private let observed = Mutex<(spec: Lease.Spec?, at: ContinuousClock.Instant)>((nil, .now))
    private let lastProblem = Mutex<String?>(nil)

    /// An elector for `settings` talking to `config`'s API server, publishing to `leadership`.
    public init(
        settings: Settings, config: APIServerConfig, client: HTTPClient, logger: Logger,
        leadership: Leadership = Leadership(elected: true)
    ) {
        self.leadership = leadership
        self.settings = settings
        self.config = config
        self.client = client
        self.logger = logger
    }

    private var isLeader: Bool { leadership.isLeader }

    /// Tries to acquire, then renews, until shutdown; releases the lease when it held it.
    public func run() async {
        let clock = ContinuousClock()
        var lastRenewal: ContinuousClock.Instant?
        var lastHolder: String?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            switch await attempt() {
            case .holding:
                lastRenewal = clock.now
                if leadership.set(true) {
                    logger.info("leader election: became leader", metadata: metadata)
                }
            case .heldBy(let holder):
                if isLeader { stepDown(reason: "the lease is held by \(holder)") }
                if holder != lastHolder {
                    logger.info(
                        "leader election: standing by",
                        metadata: metadata.merging(["leader.holder": .string(holder)]) { $1 })
                }
                lastHolder = holder
            case .failed:
                if isLeader, let lastRenewal, clock.now - lastRenewal >= settings.renewDeadline {
                    stepDown(reason: "could not renew the lease within the renew deadline")
                }
            }
            // Candidates spread their attempts (client-go jitters by up to 20 %); the holder renews on time.
            let wait = isLeader ? settings.retryPeriod : settings.retryPeriod * Double.random(in: 1...1.2)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
        }
        if isLeader {
            leadership.set(false)
            await release()
        }
    }

    private var metadata: Logger.Metadata {
        [
            "leader.lease": .string("\(settings.namespace)/\(settings.leaseName)"),
            "leader.identity": .string(settings.identity),
        ]
    }

    private func stepDown(reason: String) {
        leadership.set(false)
        logger.warning(
            "leader election: lost leadership", metadata: metadata.merging(["leader.reason": .string(reason)]) { $1 })
    }

    // MARK: API

    private var collectionURL: String {
        let base = config.server.hasSuffix("/") ? String(config.server.dropLast()) : config.server
        return "\(base)/apis/coordination.k8s.io/v1/namespaces/\(settings.namespace)/leases"
    }

    private var leaseURL: String { "\(collectionURL)/\(settings.leaseName)" }

    /// One round of client-go's `tryAcquireOrRenew`.
    func attempt() async -> Attempt {
        let clock = ContinuousClock()
        let now = Date()
        let response: HTTPResponse
        do {
            response = try await client.execute(request(leaseURL, method: .get))
        } catch {
            return problem("could not read the lease: \(error)")
        }
        if response.status == 404 {
            let lease = Lease(
                name: settings.leaseName, namespace: settings.namespace,
                spec: record(now: now, acquiredAt: now, transitions: 0))
            return await write(lease, method: .post, url: collectionURL)
        }
        guard response.isSuccess, let current = try? JSONDecoder().decode(Lease.self, from: Data(response.body)) else {
            return problem("reading the lease answered HTTP \(response.status): \(Self.excerpt(response.body))")
        }
        let observedAt = observed.withLock { observed -> ContinuousClock.Instant in
            if observed.spec != current.spec { observed = (current.spec, clock.now) }
            return observed.at
        }
        if let holder = current.holder, holder != settings.identity {
            let duration = Duration.seconds(current.spec.leaseDurationSeconds ?? 0)
            if clock.now < observedAt + duration { return .heldBy(holder) }
        }
        var next = current
        let ours = current.holder == settings.identity
        next.spec = record(
            now: now, acquiredAt: ours ? nil : now,
            transitions: (current.spec.leaseTransitions ?? 0) + (ours ? 0 : 1))
        if ours { next.spec.acquireTime = current.spec.acquireTime }
        return await write(next, method: .put, url: leaseURL)
    }

    private func record(now: Date, acquiredAt: Date?, transitions: Int) -> Lease.Spec {
        Lease.Spec(
            holderIdentity: settings.identity, leaseDurationSeconds: Int(settings.leaseDuration.components.seconds),
            acquireTime: acquiredAt.map(Lease.microTime), renewTime: Lease.microTime(now),
            leaseTransitions: transitions)
    }

    private func write(_ lease: Lease, method: HTTPRequest.Method, url: String) async -> Attempt {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let body = try? encoder.encode(lease) else { return problem("the lease could not be encoded") }
        do {
            let response = try await client.execute(request(url, method: method, body: [UInt8](body)))
            if response.status == 409 {
                // Another replica wrote first; the next look will see who.
                return .failed
            }
            guard response.isSuccess else {
                return problem("writing the lease answered HTTP \(response.status): \(Self.excerpt(response.body))")
            }
            if let written = try? JSONDecoder().decode(Lease.self, from: Data(response.body)) {
                observed.withLock { $0 = (written.spec, ContinuousClock.now) }
            }
            lastProblem.withLock { $0 = nil }
            return .holding
        } catch {
            return problem("could not write the lease: \(error)")
        }
    }

    /// Gives the lease up (no holder, 1 s duration, as client-go's `ReleaseOnCancel` does).
    func release() async {
        guard let response = try? await client.execute(request(leaseURL, method: .get)), response.isSuccess,
            var lease = try? JSONDecoder().decode(Lease.self, from: Data(response.body)),
            lease.holder == settings.identity
        else { return }
        let now = Lease.microTime(Date())
        lease.spec = Lease.Spec(
            holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now,
            leaseTransitions: lease.spec.leaseTransitions)
        if case .holding = await write(lease, method: .put, url: leaseURL) {
            logger.info("leader election: released the lease", metadata: metadata)
        }
    }

    /// Half the margin between the renew deadline and the lease duration: a renewal that starts
    /// just before the deadline and hangs still ends, and the leader steps down, before any standby
    /// may take the lease.
    private var requestTimeout: Duration { (settings.leaseDuration - settings.renewDeadline) / 2 }

    private func request(_ url: String, method: HTTPRequest.Method, body: [UInt8]? = nil) -> HTTPRequest {
        HTTPRequest(
            url: url, method: method,
            headers: body == nil ? [("Accept", "application/json")] : [("Content-Type", "application/json")],
            body: body, connectTimeout: min(.seconds(2), requestTimeout), timeout: requestTimeout,
            security: config.security)
    }

    /// Logs a failure once until it changes or a write succeeds, so a down API server does not
    /// write a line every retry period.
    private func problem(_ text: String) -> Attempt {
        let isNew = lastProblem.withLock { last -> Bool in
            defer { last = text }
            return last != text
        }
        if isNew {
            logger.warning("leader election: \(text)", metadata: metadata)
        }
        return .failed
    }

    private static func excerpt(_ body: [UInt8]) -> String {
        PeerText.quote(
            String(decoding: body.prefix(1200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
            limit: 300)
    }
}

extension LeaderElector: CustomStringConvertible {
    /// The name service lifecycle logs use.
    public var description: String { "LeaderElector" }
}
