import Testing

@testable import BridgeHTTP

/// What a peer sends is quoted redacted, on one line and bounded; repeated failures are throttled.
@Suite struct PeerTextTests {
    @Test func registeredSecretsAndCredentialHeadersAreRedacted() {
        let secrets = SecretRegistry()
        secrets.register("  key-4711\n")
        secrets.register("abc")  // too short to redact without mangling text
        let quoted = PeerText.quote(
            "echo: key-4711 and again key-4711\nAuthorization: Bearer other-token\n  sts-api-key: k-4711\nabc",
            limit: 1000, secrets: secrets)
        #expect(
            quoted
                == #"echo: REDACTED and again REDACTED\nAuthorization: REDACTED\nsts-api-key: REDACTED\nabc"#)
        #expect(PeerText.quote("see https://u:pw@host/x?api_key=k1&a=1", secrets: secrets).contains("api_key=REDACTED"))
    }

    @Test(arguments: [
        ("line\r\nlevel=error msg=forged", #"line\r\nlevel=error msg=forged"#),
        ("\u{1b}[2J\u{7}tab\tend", #"\u{1b}[2J\u{7}tab\tend"#),
        ("next\u{2028}line \u{85}", #"next\u{2028}line \u{85}"#),
        ("ünïcödé ✓", "ünïcödé ✓"),
    ])
    func controlCharactersAreEscapedSoAQuoteStaysOnOneLine(_ text: String, _ expected: String) {
        let quoted = PeerText.quote(text, secrets: SecretRegistry())
        #expect(quoted == expected)
        #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
    }

    @Test func longTextIsCutAndSaysHowMuchWasLeftOut() {
        let quoted = PeerText.quote(String(repeating: "x", count: 1000), limit: 10, secrets: SecretRegistry())
        #expect(quoted == "xxxxxxxxxx… (990 more characters)")
        #expect(PeerText.quote(bytes: [0x66, 0xFF, 0x6F], limit: 10) == "f\u{FFFD}o")
    }

    @Test func aRepeatedReasonIsLoggedOncePerIntervalWithTheCountLeftOut() {
        let throttle = LogThrottle(interval: .seconds(60))
        let start = ContinuousClock.now
        #expect(throttle.admit("HTTP 400", now: start) == 0)
        #expect(throttle.admit("HTTP 400", now: start.advanced(by: .seconds(1))) == nil)
        #expect(throttle.admit("HTTP 400", now: start.advanced(by: .seconds(59))) == nil)
        #expect(throttle.admit("HTTP 503", now: start.advanced(by: .seconds(59))) == 0)
        #expect(throttle.admit("HTTP 400", now: start.advanced(by: .seconds(60))) == 2)
        #expect(throttle.admit("HTTP 400", now: start.advanced(by: .seconds(61))) == nil)
    }

    @Test(arguments: [
        ("http://a:80/x", "/y", true), ("http://a/x", "http://a:80/y", true), ("https://a/x", "https://a:443/y", true),
        ("http://a/x", "https://a/x", false), ("http://a/x", "http://b/x", false),
        ("http://a:1/x", "http://a:2/x", false),
        ("http://A/x", "//a/y", true),
    ])
    func originsAreSchemeHostAndPort(_ base: String, _ location: String, _ same: Bool) throws {
        let resolved = try #require(Origin.resolve(location, against: base))
        #expect((Origin(resolved) == Origin(base)) == same, "\(resolved)")
    }
}
