import Foundation
import Testing

@testable import BridgeApp

/// docs/configuration.md lists exactly the keys the parser reads: its key tables are generated
/// from ``ConfigurationSchema``, the one list the parser checks every mapping against.
@Suite struct ConfigurationSchemaTests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/configuration.md")
    static let begin = "<!-- keys:begin (generated from ConfigurationSchema; UPDATE_GOLDEN=1 rewrites) -->\n"
    static let end = "<!-- keys:end -->"

    @Test func theDocsKeyTablesAreTheSchemas() throws {
        var text = try String(contentsOf: Self.document, encoding: .utf8)
        let start = try #require(text.range(of: Self.begin), "docs/configuration.md lacks the keys:begin marker")
        let stop = try #require(text.range(of: Self.end, range: start.upperBound..<text.endIndex))
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            text.replaceSubrange(start.upperBound..<stop.lowerBound, with: "\n" + ConfigurationSchema.markdown)
            try text.write(to: Self.document, atomically: true, encoding: .utf8)
            return
        }
        #expect(
            String(text[start.upperBound..<stop.lowerBound]) == "\n" + ConfigurationSchema.markdown,
            "docs/configuration.md's key tables differ from ConfigurationSchema (UPDATE_GOLDEN=1 rewrites them)")
    }

    @Test func everyKeySetIsDocumentedOnceAndNoKeyTwice() {
        let paths = ConfigurationSchema.documented.map(\.path)
        #expect(Set(paths).count == paths.count)
        for set in ConfigurationSchema.documented {
            let names = set.all.map(\.name)
            #expect(Set(names).count == names.count, "\(set.path) repeats a key")
            for key in set.own {
                if case .alias(let target) = key.use {
                    let first = String(target.split(separator: ".").first ?? "")
                    #expect(set.key(first) != nil, "\(set.path).\(key.name) is an alias of a key the set lacks")
                }
            }
        }
    }

    @Test func anUnknownKeyNamesTheKeysThatAreThereAndARefusedOneItsReason() {
        #expect {
            _ = try Configuration.parse("remote_write: [{url: 'http://r/w', remote_timout: 30s}]")
        } throws: { error in
            "\(error)".hasPrefix(
                #"remote_write[0].remote_timout: unknown key "remote_timout" (did you mean remote_timeout?); keys here are url, name, remote_timeout"#
            )
                && !"\(error)".contains("sigv4")
        }
        #expect {
            _ = try Configuration.parse("stackstate: {url: 'http://r', oauth2: {client_id: a}}")
        } throws: {
            "\($0)"
                == "stackstate.oauth2: not supported: OAuth 2.0 client credentials are not built in; use authorization.credentials_file"
        }
    }
}
