/// The relations of a ``Topology``, each once, in the order they were first added. Looked up by
/// their ends through the topology's per-component lists, so that no id is kept per relation.
public struct RelationSet: Sendable {
    /// The relations.
    public private(set) var values: [Relation] = []
    /// The positions in `values` of the relations leaving (`outgoing`) and arriving at
    /// (`incoming`) each component, by URN.
    private var outgoing: [String: [Int32]] = [:]
    private var incoming: [String: [Int32]] = [:]

    /// How many relations there are.
    public var count: Int { values.count }

    /// Every relation's external id.
    public var keys: [String] { values.map(\.externalId) }

    /// The relation with external id `externalId` (`<sourceId>-><targetId>`), if any.
    public subscript(externalId: String) -> Relation? {
        if externalId.hasPrefix(Self.connectionPrefix) { return connection(externalId) }
        // Ids are not kept: try each "->" as the split, since a URN may itself contain one.
        var searchStart = externalId.startIndex
        while let arrow = externalId[searchStart...].firstRange(of: "->") {
            let source = String(externalId[..<arrow.lowerBound])
            let target = String(externalId[arrow.upperBound...])
            if let relation = relation(from: source, to: target) { return relation }
            searchStart = externalId.index(after: arrow.lowerBound)
        }
        return nil
    }

    private static let connectionPrefix = "connection:/"

    /// The `directional_connection` with `externalId` (`connection:/<source>-><target>:port/<port>`).
    private func connection(_ externalId: String) -> Relation? {
        guard let portMark = externalId.ranges(of: ":port/").last else { return nil }
        let ends = externalId[
            externalId.index(externalId.startIndex, offsetBy: Self.connectionPrefix.count)..<portMark.lowerBound]
        var searchStart = ends.startIndex
        while let arrow = ends[searchStart...].firstRange(of: "->") {
            let source = String(ends[..<arrow.lowerBound])
            if let match = relations(from: source).first(where: { $0.externalId == externalId }) { return match }
            searchStart = ends.index(after: arrow.lowerBound)
        }
        return nil
    }

    /// The relation from `source` to `target`, if any.
    public func relation(from source: String, to target: String) -> Relation? {
        (outgoing[source] ?? []).lazy.map { values[Int($0)] }.first { $0.targetId == target }
    }

    /// Relations leaving `urn`.
    public func relations(from urn: String) -> [Relation] {
        (outgoing[urn] ?? []).map { values[Int($0)] }
    }

    /// Relations arriving at `urn`.
    public func relations(to urn: String) -> [Relation] {
        (incoming[urn] ?? []).map { values[Int($0)] }
    }

    /// Adds each of `relations` whose ends `end` gives (nil drops the relation); a relation with
    /// the ends of one added before replaces it in place, the last one winning.
    mutating func add(_ relations: [Relation], ends end: (String) -> String?) {
        struct Ends: Hashable {
            let source: String
            let target: String
            let discriminator: String?
        }
        // Only while adding: afterwards the per-component lists find a relation by its ends.
        var positions: [Ends: Int32] = [:]
        positions.reserveCapacity(relations.count)
        values.reserveCapacity(relations.count)
        for var relation in relations {
            guard let source = end(relation.sourceId), let target = end(relation.targetId) else { continue }
            relation.sourceId = source
            relation.targetId = target
            let ends = Ends(source: source, target: target, discriminator: relation.discriminator)
            if let position = positions[ends] {
                values[Int(position)] = relation
                continue
            }
            let position = Int32(values.count)
            positions[ends] = position
            values.append(relation)
            outgoing[source, default: []].append(position)
            incoming[target, default: []].append(position)
        }
    }
}
