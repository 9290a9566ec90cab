import BridgeCore
import Testing

@testable import BridgeTopology

/// The topology as series.
@Suite struct TopologyMetricsTests {
    @Test func theBatchIsSizedOnceForItsSeries() throws {
        let state = try fixtureCluster()
        let topology = TopologyBuilder.build(state)
        for includeRelations in [true, false] {
            let batch = TopologyMetrics(includeRelations: includeRelations).batch(topology: topology, state: state)
            let expected =
                topology.components.count + (includeRelations ? topology.relations.count : 0)
                + 3 * TopologyMetrics().healthByURN(state).count
            #expect(batch.samples.count == expected)
            // Reserved, not grown by doubling: the batch is kept for as long as `/metrics` serves it.
            #expect(batch.samples.capacity - batch.samples.count < 8, "capacity \(batch.samples.capacity)")
            #expect(batch.labels.capacity - batch.labels.count < 16, "labels capacity \(batch.labels.capacity)")
        }
    }
}
