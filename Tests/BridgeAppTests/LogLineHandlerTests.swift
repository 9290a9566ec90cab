import BridgeTestPeers
import Foundation
import Logging
import Testing

@testable import BridgeApp

/// Log lines are one line per record in both formats, whatever a value holds, and read back to
/// the values written: logfmt as go-logfmt reads it, JSON with a JSON parser.
@Suite struct LogLineHandlerTests {
    static let awkward: [String] = [
        "", "plain", "two words", "a=b", "say \"hi\"", "back\\slash", "line\nbreak", "cr\r\nlf", "tab\there",
        "\u{1B}[2J\u{1B}[31mred\u{07}", "nul\u{0}byte", "del\u{7F}", "c1\u{85}next", "sep\u{2028}arator", "ünïcødé ✓",
        "level=error msg=\"forged\"",
    ]

    static func line(_ format: LogLineHandler.Format, _ value: String) -> String {
        LogLineHandler.line(
            format, time: Date(timeIntervalSince1970: 1_796_410_000.5), level: .warning, message: "msg " + value,
            metadata: ["peer.body": .string(value), "count": .stringConvertible(3)])
    }

    @Test(arguments: awkward)
    func logfmtIsOneLineAndReadsBack(_ value: String) throws {
        let line = Self.line(.logfmt, value)
        #expect(line.hasSuffix("\n") && line.dropLast().allSatisfy { $0 != "\n" && $0 != "\r" })
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7F })
        let fields = try #require(Logfmt.parse(line.dropLast()), "\(line)")
        #expect(fields["peer.body"] == value)
        #expect(fields["msg"] == "msg " + value)
        #expect(fields["level"] == "warn" && fields["count"] == "3")
        #expect(fields["ts"] == "2026-12-04T18:46:40.500Z")
        #expect(line.hasPrefix("ts=2026-12-04T18:46:40.500Z level=warn msg="))
    }

    @Test(arguments: awkward)
    func jsonIsOneObjectPerLineAndReadsBack(_ value: String) throws {
        let line = Self.line(.json, value)
        #expect(line.hasSuffix("\n") && line.dropLast().allSatisfy { $0 != "\n" && $0 != "\r" })
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7F })
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], "\(line)")
        #expect(object["peer.body"] == value)
        #expect(object["msg"] == "msg " + value)
        #expect(object["level"] == "warn" && object["ts"] == "2026-12-04T18:46:40.500Z")
    }

    @Test func keysAreSanitisedAndTheHandlerWritesWhatItIsGiven() {
        #expect(LogLineHandler.logfmtKey("a b=c\"d") == "a_b_c_d")
        let lines = LinesWritten()
        var logger = Logger(label: "t") { _ in
            LogLineHandler(format: .logfmt, level: .info, write: { lines.append($0) })
        }
        logger[metadataKey: "component"] = "scrape"
        logger.debug("hidden")
        logger.info("shown", metadata: ["k": "v"])
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.contains(" level=info msg=shown component=scrape k=v\n") == true)
    }
}

/// Lines a handler wrote, for tests.
final class LinesWritten: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
