/// The snapshots on their way to the receiver, one topology and one health snapshot at a time,
/// each made a chunk at a time as the queue takes them: at most ``window`` chunks of each wait
/// in the queue, and a snapshot ends when the receiver accepted its last chunk (completed) or when
/// it is given up (abandoned): a chunk refused for good, or the lead lost.
///
/// Pacing keeps a snapshot of any size inside the retry queue: at 150,000 pods one is about 260
/// posts, more than the queue's 15 MiB holds; queued at once, its first post would be evicted and
/// the receiver would refuse the rest as chunks without a start. The next snapshot starts only once
/// both are over, so that a slow receiver gets fresh snapshots back to back, never a backlog of
/// stale ones.
struct SnapshotPacing {
    /// Chunks of one snapshot queued at a time: one being sent and the next one ready.
    static let window = 2

    /// A snapshot's chunk maker.
    enum Chunks: Sendable {
        /// A topology snapshot.
        case topology(TopologySnapshot)
        /// A health snapshot, sent from `hostname`.
        case health(HealthSnapshot, hostname: String)

        /// What its posts carry.
        var kind: PayloadKind {
            switch self {
            case .topology: .topology
            case .health: .health
            }
        }

        /// The next chunk as a payload, the elements it carries and whether it is the last.
        mutating func nextPayload() -> (payload: IntakePayload, elements: Int, last: Bool)? {
            switch self {
            case .topology(var snapshot):
                defer { self = .topology(snapshot) }
                guard let payload = snapshot.next(), let chunk = payload.topologies.first else { return nil }
                return (payload, chunk.components.count + chunk.relations.count, chunk.stopSnapshot)
            case .health(var snapshot, let hostname):
                defer { self = .health(snapshot, hostname: hostname) }
                guard let chunk = snapshot.next() else { return nil }
                var payload = IntakePayload(internalHostname: hostname)
                payload.health = [chunk]
                return (payload, chunk.checkStates.count, chunk.stopSnapshot != nil)
            }
        }
    }

    private struct InFlight {
        var id: UInt64
        var chunks: Chunks
        /// Chunks in the queue the receiver has not accepted yet.
        var queued = 0
        /// Whether the last chunk has been made.
        var made = false
    }

    /// The topology snapshots' record of what the last one carried.
    var topologySnapshots: TopologySnapshots
    private var inFlight: [PayloadKind: InFlight] = [:]
    private var nextID: UInt64 = 0

    /// Pacing for snapshots made by `topologySnapshots`.
    init(topologySnapshots: TopologySnapshots) {
        self.topologySnapshots = topologySnapshots
    }

    /// Whether a snapshot is under way.
    var isBusy: Bool { !inFlight.isEmpty }

    /// Starts `chunks`, replacing nothing: callers start snapshots only when none is under way.
    mutating func start(_ chunks: Chunks) {
        nextID &+= 1
        inFlight[chunks.kind] = InFlight(id: nextID, chunks: chunks)
    }

    /// The snapshot of `kind` with its id, when it has a chunk to make and room in the queue.
    func wantsChunk(_ kind: PayloadKind) -> (id: UInt64, chunks: Chunks)? {
        guard let flight = inFlight[kind], !flight.made, flight.queued < Self.window else { return nil }
        return (flight.id, flight.chunks)
    }

    /// Records that `chunks`, advanced by one chunk, were queued for snapshot `id`; false when that
    /// snapshot was given up meanwhile, so that the chunk is not queued.
    mutating func advance(_ kind: PayloadKind, id: UInt64, to chunks: Chunks, last: Bool) -> Bool {
        guard var flight = inFlight[kind], flight.id == id else { return false }
        flight.chunks = chunks
        flight.queued += 1
        flight.made = last
        inFlight[kind] = flight
        return true
    }

    /// The receiver accepted a chunk of snapshot `id`; returns the kind when that completed it.
    mutating func accepted(_ kind: PayloadKind, id: UInt64) -> PayloadKind? {
        guard var flight = inFlight[kind], flight.id == id else { return nil }
        flight.queued -= 1
        guard flight.made, flight.queued == 0 else {
            inFlight[kind] = flight
            return nil
        }
        if case .topology(let snapshot) = flight.chunks { topologySnapshots.completed(snapshot) }
        inFlight[kind] = nil
        return kind
    }

    /// Gives up the snapshot of `kind` (only if it is `id`, when given), removing its chunks from
    /// `queue`; returns the kind when there was one to give up.
    mutating func abandon(_ kind: PayloadKind, id: UInt64? = nil, queue: IntakeQueue) -> PayloadKind? {
        guard let flight = inFlight[kind], id == nil || flight.id == id else { return nil }
        queue.removeAll(snapshot: flight.id)
        if case .topology(let snapshot) = flight.chunks { topologySnapshots.abandoned(snapshot) }
        inFlight[kind] = nil
        return kind
    }
}
