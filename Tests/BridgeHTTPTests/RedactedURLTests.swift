import BridgeHTTP
import Testing

@Suite struct RedactedURLTests {
    @Test(arguments: [
        ("https://user:pass@host:8443/path?x=1", "https://host:8443/path?x=1"),
        (
            "https://tenant.app.stackstate.io/receiver/stsAgent/intake/?api_key=abc",
            "https://tenant.app.stackstate.io/receiver/stsAgent/intake/?api_key=REDACTED"
        ),
        ("http://h/p?token=t&a=b&API_KEY=k#frag", "http://h/p?token=REDACTED&a=b&API_KEY=REDACTED#frag"),
        ("http://h/p", "http://h/p"),
        ("http://h/p?plain", "http://h/p?plain"),
        ("http://a@b@host/x", "http://host/x"),
    ])
    func redacts(_ url: String, _ expected: String) {
        #expect(RedactedURL.string(url) == expected)
    }

    @Test func scrubsURLsInsideMessages() {
        #expect(
            RedactedURL.scrub("Failed to connect to http://u:p@h:1/x?api_key=z port 1")
                == "Failed to connect to http://h:1/x?api_key=REDACTED port 1"
        )
    }
}
