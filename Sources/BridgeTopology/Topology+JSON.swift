import Foundation

extension Topology {
    /// The topology in the shape of `/api/v1/topology` and the StackState intake:
    /// `{"components": [{"externalId", "type", "name", "tags", "identifiers", "data"}],
    /// "relations": [{"externalId", "type", "sourceId", "targetId", "data"}]}`, sorted by externalId
    /// so that equal topologies give equal bytes.
    public func json() -> [UInt8] {
        struct ComponentJSON: Encodable {
            let externalId: String
            let type: String
            let name: String
            let tags: [String: String]
            let identifiers: [String]
            let data: [String: String]
        }
        struct RelationJSON: Encodable {
            let externalId: String
            let type: String
            let sourceId: String
            let targetId: String
            let data: [String: String]
        }
        struct Document: Encodable {
            let components: [ComponentJSON]
            let relations: [RelationJSON]
        }
        let document = Document(
            components: components.values.sorted { $0.externalId < $1.externalId }.map {
                ComponentJSON(
                    externalId: $0.externalId, type: $0.type.rawValue, name: $0.name, tags: $0.tags,
                    identifiers: $0.identifiers, data: $0.properties
                )
            },
            relations: relations.values.sorted(by: Relation.precedesByExternalId).map {
                RelationJSON(
                    externalId: $0.externalId, type: $0.type.rawValue, sourceId: $0.sourceId, targetId: $0.targetId,
                    data: $0.properties
                )
            }
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding dictionaries and strings cannot fail.
        return Array((try? encoder.encode(document)) ?? Data())
    }
}
