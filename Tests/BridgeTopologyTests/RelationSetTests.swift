import Testing

@testable import BridgeTopology

/// How a topology keeps its relations: once each, by their ends, with no id or URN copy per
/// relation, in the order of their external ids when sorted.
@Suite struct RelationSetTests {
    static let p = "urn:kubernetes:/t"

    static func component(_ urn: String) -> Component {
        Component(externalId: urn, type: .pod, name: String(urn.split(separator: "/").last ?? ""))
    }

    @Test func sortingByEndsGivesTheOrderOfTheExternalIds() {
        // Sources that are prefixes of one another ("web" of "web-1", a pod of its container) put
        // the arrow against the longer source's next byte; '-' and ':' sit either side of '>'.
        let urns = [
            "\(Self.p):shop:pod/web", "\(Self.p):shop:pod/web-1", "\(Self.p):shop:pod/web-1:container/app",
            "\(Self.p):shop:pod/web:container/app", "\(Self.p):shop:pod/web.a", "\(Self.p):node/n1",
            "\(Self.p):node/n", "\(Self.p):shop:pod/web!", "\(Self.p):shop:pod/wex",
        ]
        var relations: [Relation] = []
        for source in urns {
            for target in urns where target != source {
                relations.append(Relation(.encloses, from: source, to: target))
            }
        }
        relations.shuffle()
        let byIds = relations.sorted { $0.externalId < $1.externalId }.map(\.externalId)
        let byEnds = relations.sorted(by: Relation.precedesByExternalId).map(\.externalId)
        #expect(byEnds == byIds)
        for (a, b) in zip(relations, relations.reversed()) {
            #expect(
                Relation.precedesByExternalId(a, b) == (a.externalId < b.externalId),
                "\(a.externalId) < \(b.externalId)")
        }
    }

    @Test func relationEndsAreTheStringsOfTheirComponents() {
        let pod = "\(Self.p):shop:pod/web-7d9f-abcde"
        let node = "\(Self.p):node/n1"
        // Ends made afresh, as each `relate` call of the builder makes them.
        let topology = Topology(
            components: [Self.component(pod), Self.component(node)],
            relations: (0..<3).map { _ in
                Relation(
                    .scheduledOn, from: String(decoding: pod.utf8, as: UTF8.self),
                    to: String(decoding: node.utf8, as: UTF8.self))
            })
        #expect(topology.relations.count == 1)
        let relation = topology.relations.values[0]
        let key = topology.components.keys.first { $0 == pod }!
        #expect(Self.address(of: relation.sourceId) == Self.address(of: key))
        #expect(Self.address(of: relation.targetId) == Self.address(of: topology.components.keys.first { $0 == node }!))
    }

    static func address(of string: String) -> UnsafeRawPointer? {
        var copy = string
        return copy.withUTF8 { UnsafeRawPointer($0.baseAddress) }
    }

    @Test func aRelationIsFoundByItsIdEvenWhenAURNHoldsAnArrow() {
        let odd = "urn:kubernetes:external-volume:nfs/host->share"
        let pod = "\(Self.p):shop:pod/web"
        let topology = Topology(
            components: [Self.component(odd), Self.component(pod)],
            relations: [
                Relation(.claims, from: pod, to: odd), Relation(.exposes, from: odd, to: pod),
                Relation(.claims, from: pod, to: "\(Self.p):shop:pod/gone"),
            ])
        #expect(topology.relations.count == 2)
        #expect(topology.relations["\(pod)->\(odd)"]?.type == .claims)
        #expect(topology.relations["\(odd)->\(pod)"]?.type == .exposes)
        #expect(topology.relations["\(pod)->\(Self.p):shop:pod/gone"] == nil)
        #expect(Set(topology.relations.keys) == ["\(pod)->\(odd)", "\(odd)->\(pod)"])
        #expect(topology.relations(from: pod).map(\.targetId) == [odd])
        #expect(topology.relations(to: pod).map(\.sourceId) == [odd])
    }

    @Test func aRelationAddedTwiceIsKeptOnceAsAddedLast() {
        let (pod, node) = ("\(Self.p):shop:pod/web", "\(Self.p):node/n1")
        let topology = Topology(
            components: [Self.component(pod), Self.component(node)],
            relations: [
                Relation(.scheduledOn, from: pod, to: node, properties: ["n": "1"]),
                Relation(.runsOn, from: pod, to: node, properties: ["n": "2"]),
            ])
        #expect(topology.relations.count == 1)
        #expect(topology.relations.relation(from: pod, to: node)?.type == .runsOn)
        #expect(topology.relations.relation(from: pod, to: node)?.properties == ["n": "2"])
        #expect(topology.relations(from: pod).count == 1)
        #expect(topology.relations(to: node).count == 1)
    }
}
