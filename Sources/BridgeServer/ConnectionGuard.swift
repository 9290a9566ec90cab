import NIOCore
import Synchronization

/// Keeps the server answering however many connections clients hold open: a connection that sends
/// no request within ``headerTimeout`` of connecting, or nothing within ``idleTimeout`` of its last
/// exchange, is closed; and past ``limit`` open connections, each new one closes the connection
/// that has been quiet longest (idle keep-alives first, since they are the quietest), so a fresh
/// scraper is always served. Prometheus' own server has `--web.max-connections` (default 512)
/// for the same reason; without it 4,200 idle sockets under `ulimit -n 4096` stalled `/metrics`.
public final class ConnectionGuard: Sendable {
    /// Most connections open at once.
    public let limit: Int
    /// How long a new connection may take to send its first request.
    public let headerTimeout: TimeAmount
    /// How long a connection may stay quiet between requests (keep-alive).
    public let idleTimeout: TimeAmount

    private struct Open {
        let channel: any Channel
        var lastActivity: NIODeadline
        /// Whether a request or response passed yet: before, the header timeout applies.
        var exchanged = false
    }

    private let open = Mutex<[ObjectIdentifier: Open]>([:])

    /// A guard for `limit` connections.
    public init(
        limit: Int = 512, headerTimeout: TimeAmount = .seconds(10), idleTimeout: TimeAmount = .seconds(120)
    ) {
        self.limit = max(1, limit)
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
    }

    /// Connections open now.
    public var count: Int { open.withLock { $0.count } }

    /// A handler for one connection's pipeline.
    public func handler() -> Handler { Handler(guard: self) }

    func opened(_ channel: any Channel) {
        let evicted = open.withLock { open -> (any Channel)? in
            open[ObjectIdentifier(channel)] = Open(channel: channel, lastActivity: .now())
            guard open.count > limit else { return nil }
            let quietest = open.filter { $0.key != ObjectIdentifier(channel) }.min {
                $0.value.lastActivity < $1.value.lastActivity
            }
            return quietest.map { open.removeValue(forKey: $0.key)?.channel } ?? nil
        }
        evicted?.close(promise: nil)
    }

    func active(_ channel: any Channel) {
        open.withLock { open in
            open[ObjectIdentifier(channel)]?.lastActivity = .now()
            open[ObjectIdentifier(channel)]?.exchanged = true
        }
    }

    /// Whether `channel` has been quiet longer than its timeout allows (or is not registered).
    func isQuiet(_ channel: any Channel) -> Bool {
        open.withLock { open in
            guard let entry = open[ObjectIdentifier(channel)] else { return true }
            return NIODeadline.now() - entry.lastActivity > (entry.exchanged ? idleTimeout : headerTimeout)
        }
    }

    func closed(_ channel: any Channel) {
        _ = open.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Passes everything through, noting activity, and closes the connection when it has been
    /// quiet too long.
    public final class Handler: ChannelDuplexHandler, RemovableChannelHandler {
        /// Anything: the handler only watches.
        public typealias InboundIn = NIOAny
        /// Anything.
        public typealias InboundOut = NIOAny
        /// Anything.
        public typealias OutboundIn = NIOAny
        /// Anything.
        public typealias OutboundOut = NIOAny

        private let connectionGuard: ConnectionGuard
        private var check: RepeatedTask?

        init(guard connectionGuard: ConnectionGuard) {
            self.connectionGuard = connectionGuard
        }

        /// Registers the connection and checks every second whether it has been quiet too long.
        public func handlerAdded(context: ChannelHandlerContext) {
            connectionGuard.opened(context.channel)
            let (channel, connectionGuard) = (context.channel, connectionGuard)
            check = context.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
                if connectionGuard.isQuiet(channel) { channel.close(promise: nil) }
            }
        }

        /// Unregisters it.
        public func handlerRemoved(context: ChannelHandlerContext) {
            check?.cancel()
            connectionGuard.closed(context.channel)
        }

        /// Unregisters it when it closes.
        public func channelInactive(context: ChannelHandlerContext) {
            check?.cancel()
            connectionGuard.closed(context.channel)
            context.fireChannelInactive()
        }

        /// A request part arrived.
        public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            noteActivity(context)
            context.fireChannelRead(data)
        }

        /// A response part leaves.
        public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            noteActivity(context)
            context.write(data, promise: promise)
        }

        private func noteActivity(_ context: ChannelHandlerContext) {
            connectionGuard.active(context.channel)
        }
    }
}
