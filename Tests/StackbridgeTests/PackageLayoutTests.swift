import Foundation
import Testing

/// The shipped programs link no test scaffolding: `stackbridge` and `stackbridge-sim` reach
/// neither `BridgeTestSupport` nor `BridgeTestPeers` through any dependency, and targets are
/// declared before the targets that use them (Package.swift reads in dependency order).
@Suite struct PackageLayoutTests {
    static let manifest = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Package.swift")

    /// Each target of ours in declaration order, with the targets of ours it names.
    static func targets() throws -> [(name: String, dependencies: [String])] {
        let text = try String(contentsOf: manifest, encoding: .utf8)
        var result: [(String, [String])] = []
        let pattern = try NSRegularExpression(
            pattern: #"\.(target|executableTarget|testTarget|systemLibrary)\(\s*name: "([^"]+)""#)
        let matches = pattern.matches(in: text, range: NSRange(text.startIndex..., in: text))
        for (index, match) in matches.enumerated() {
            let name = String(text[Range(match.range(at: 2), in: text)!])
            let end = index + 1 < matches.count ? matches[index + 1].range.location : (text as NSString).length
            let block = (text as NSString).substring(
                with: NSRange(location: match.range.location, length: end - match.range.location))
            var dependencies: [String] = []
            if let open = block.range(of: "dependencies: [") {
                var depth = 1
                var cursor = open.upperBound
                var list = ""
                while cursor < block.endIndex && depth > 0 {
                    let character = block[cursor]
                    if character == "[" { depth += 1 }
                    if character == "]" { depth -= 1 }
                    if depth > 0 { list.append(character) }
                    cursor = block.index(after: cursor)
                }
                // Plain string entries are our targets; `.product(...)` entries are packages'.
                let withoutProducts = list.replacingOccurrences(
                    of: #"\.product\([^)]*\)"#, with: "", options: .regularExpression)
                let quoted = try NSRegularExpression(pattern: #""([^"]+)""#)
                dependencies = quoted.matches(
                    in: withoutProducts, range: NSRange(withoutProducts.startIndex..., in: withoutProducts)
                ).map { String(withoutProducts[Range($0.range(at: 1), in: withoutProducts)!]) }
            }
            result.append((name, dependencies))
        }
        return result
    }

    @Test func shippedProgramsLinkNoTestScaffolding() throws {
        let targets = try Self.targets()
        let byName = Dictionary(targets.map { ($0.name, $0.dependencies) }, uniquingKeysWith: { first, _ in first })
        #expect(byName["stackbridge"] != nil && byName["BridgeApp"] != nil, "\(targets.map(\.name))")
        for program in ["stackbridge", "stackbridge-sim"] {
            var reached: Set<String> = []
            var pending = [program]
            while let next = pending.popLast() {
                for dependency in byName[next] ?? [] where reached.insert(dependency).inserted {
                    pending.append(dependency)
                }
            }
            #expect(
                reached.isDisjoint(with: ["BridgeTestSupport", "BridgeTestPeers"]),
                "\(program) reaches \(reached.sorted())")
            #expect(reached.contains("BridgeSimulator"), "\(program): \(reached.sorted())")
        }
    }

    @Test func targetsAreDeclaredAfterWhatTheyUse() throws {
        let targets = try Self.targets()
        var declared: Set<String> = []
        for (name, dependencies) in targets {
            let ours = dependencies.filter { dependency in targets.contains { $0.name == dependency } }
            #expect(
                ours.allSatisfy(declared.contains), "\(name) comes before \(ours.filter { !declared.contains($0) })")
            declared.insert(name)
        }
    }
}
