import BridgeCore
import Foundation

/// The intake body written byte by byte, keys sorted, rather than through `JSONEncoder`: at 150,000
/// pods a topology snapshot is 2.6 million elements, and the encoder's boxing of each one costs
/// 40 % of the leader's CPU while it sends them (docs/performance.md). The `Encodable` conformances
/// stay as the reference this writer is tested against; events, a few hundred a post, still go
/// through the encoder.
extension IntakePayload {
    /// The payload as JSON: the same document `JSONEncoder` makes, without escaped slashes;
    /// throws only if the events cannot be encoded.
    public func json() throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(topologies.reduce(256) { $0 + 400 * ($1.components.count + $1.relations.count) })
        out.append(contentsOf: #"{"events":"#.utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        out.append(contentsOf: try encoder.encode(events))
        out.append(contentsOf: #","health":["#.utf8)
        for (index, sync) in health.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            sync.appendJSON(to: &out)
        }
        JSONWriting.append(#"],"internalHostname":"#, internalHostname, to: &out)
        out.append(contentsOf: #","metrics":["#.utf8)
        JSONWriting.appendStrings(metrics, to: &out)
        out.append(contentsOf: #"],"topologies":["#.utf8)
        for (index, topology) in topologies.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            topology.appendJSON(to: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }
}

extension TopologyPayload {
    func appendJSON(to out: inout [UInt8]) {
        out.append(contentsOf: #"{"components":["#.utf8)
        for (index, component) in components.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"data":"#.utf8)
            JSONWriting.appendObject(component.data, to: &out)
            JSONWriting.append(#","externalId":"#, component.externalId, to: &out)
            JSONWriting.append(#","sourceProperties":null,"type":{"name":"#, component.type.name, to: &out)
            out.append(contentsOf: "}}".utf8)
        }
        out.append(contentsOf: #"],"delete_ids":["#.utf8)
        JSONWriting.appendStrings(deleteIDs, to: &out)
        JSONWriting.append(#"],"instance":{"type":"#, instance.type, to: &out)
        JSONWriting.append(#","url":"#, instance.url, to: &out)
        out.append(contentsOf: #"},"relations":["#.utf8)
        for (index, relation) in relations.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"data":"#.utf8)
            JSONWriting.appendObject(relation.data, to: &out)
            JSONWriting.append(#","externalId":"#, relation.externalId, to: &out)
            JSONWriting.append(#","sourceId":"#, relation.sourceId, to: &out)
            JSONWriting.append(#","targetId":"#, relation.targetId, to: &out)
            JSONWriting.append(#","type":{"name":"#, relation.type.name, to: &out)
            out.append(contentsOf: "}}".utf8)
        }
        out.append(contentsOf: #"],"start_snapshot":"#.utf8)
        out.append(contentsOf: (startSnapshot ? "true" : "false").utf8)
        out.append(contentsOf: #","stop_snapshot":"#.utf8)
        out.append(contentsOf: (stopSnapshot ? "true" : "false").utf8)
        out.append(UInt8(ascii: "}"))
    }
}

extension HealthSyncPayload {
    func appendJSON(to out: inout [UInt8]) {
        out.append(contentsOf: #"{"check_states":["#.utf8)
        for (index, state) in checkStates.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriting.append(#"{"checkStateId":"#, state.checkStateId, to: &out)
            JSONWriting.append(#","health":"#, state.health, to: &out)
            JSONWriting.append(#","message":"#, state.message, to: &out)
            JSONWriting.append(#","name":"#, state.name, to: &out)
            JSONWriting.append(#","topologyElementIdentifier":"#, state.topologyElementIdentifier, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        if let start = startSnapshot {
            out.append(contentsOf: #","start_snapshot":{"expiry_interval_s":"#.utf8)
            NumberFormatting.appendInteger(Int64(start.expiryInterval), to: &out)
            out.append(contentsOf: #","repeat_interval_s":"#.utf8)
            NumberFormatting.appendInteger(Int64(start.repeatInterval), to: &out)
            out.append(UInt8(ascii: "}"))
        }
        if let stop = stopSnapshot {
            out.append(contentsOf: #","stop_snapshot":"#.utf8)
            JSONWriting.appendObject(stop.mapValues(DataValue.string), to: &out)
        }
        JSONWriting.append(#","stream":{"urn":"#, stream.urn, to: &out)
        out.append(contentsOf: "}}".utf8)
    }
}

/// The shared pieces of the hand-written intake JSON.
enum JSONWriting {
    /// Appends `key` with the punctuation around it (`,"name":`) and `value` quoted.
    static func append(_ key: String, _ value: String, to out: inout [UInt8]) {
        out.append(contentsOf: key.utf8)
        JSONText.appendString(value, to: &out)
    }

    /// Appends `strings` comma-separated, each quoted (the brackets are the caller's).
    static func appendStrings(_ strings: [String], to out: inout [UInt8]) {
        for (index, string) in strings.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(string, to: &out)
        }
    }

    /// Appends `object` with its keys sorted.
    static func appendObject(_ object: [String: DataValue], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, key) in object.keys.sorted().enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            if let value = object[key] { appendValue(value, to: &out) }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Appends one `data` value.
    static func appendValue(_ value: DataValue, to out: inout [UInt8]) {
        switch value {
        case .string(let string): JSONText.appendString(string, to: &out)
        case .int(let number): NumberFormatting.appendInteger(number, to: &out)
        case .list(let strings):
            out.append(UInt8(ascii: "["))
            appendStrings(strings, to: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let strings):
            out.append(UInt8(ascii: "{"))
            for (index, key) in strings.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                JSONText.appendString(strings[key] ?? "", to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .map(let values): appendObject(values, to: &out)
        }
    }
}
