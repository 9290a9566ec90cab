/// The cluster as components and relations: what is sent to StackState and served on
/// `/api/v1/topology`. A relation is kept only when both of its ends are components, as the
/// StackState agent's `CorrelateRelations` does.
public struct Topology: Sendable {
    /// Components by URN.
    public private(set) var components: [String: Component] = [:]
    /// The relations, each once.
    public private(set) var relations = RelationSet()

    /// Builds a topology; relations with a missing end are dropped. A relation's ends are kept as
    /// the URN strings of its components, so that 143,000 relations at 11,000 pods hold no copies
    /// of their URNs.
    public init(components: [Component], relations: [Relation]) {
        for component in components { self.components[component.externalId] = component }
        let components = self.components
        self.relations.add(relations) { urn in components.index(forKey: urn).map { components.keys[$0] } }
    }

    /// Relations leaving `urn`.
    public func relations(from urn: String) -> [Relation] { relations.relations(from: urn) }

    /// Relations arriving at `urn`.
    public func relations(to urn: String) -> [Relation] { relations.relations(to: urn) }

    /// The components within `depth` relations of `urn` (either direction) and the relations
    /// among them; nil when `urn` is not a component.
    public func neighbourhood(of urn: String, depth: Int) -> Topology? {
        guard components[urn] != nil else { return nil }
        var seen: Set<String> = [urn]
        var frontier = [urn]
        for _ in 0..<max(0, depth) {
            var next: [String] = []
            for current in frontier {
                for relation in relations(from: current) + relations(to: current) {
                    for end in [relation.sourceId, relation.targetId] where seen.insert(end).inserted {
                        next.append(end)
                    }
                }
            }
            frontier = next
        }
        let kept = relations.values.filter { seen.contains($0.sourceId) && seen.contains($0.targetId) }
        return Topology(components: seen.compactMap { components[$0] }, relations: Array(kept))
    }
}
