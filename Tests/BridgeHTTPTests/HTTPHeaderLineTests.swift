import Testing

@testable import BridgeHTTP

@Suite struct HTTPHeaderLineTests {
    private func read(_ text: String) -> HTTPHeaderLine {
        Array(text.utf8).withUnsafeBytes { HTTPHeaderLine($0) }
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\n", 200),
        ("HTTP/2 204\r\n", 204),
        ("HTTP/1.1   503  Service Unavailable\r\n", 503),
        ("HTTP/1.0 301 Moved Permanently\n", 301),
        ("HTTP/1.1\r\n", 0),
        ("HTTP/1.1 abc\r\n", 0),
    ])
    func statusLinesStartAResponse(_ line: String, _ code: Int) {
        #expect(read(line) == .status(code))
    }

    @Test(arguments: [
        ("Content-Type: text/plain; version=0.0.4\r\n", "content-type", "text/plain; version=0.0.4"),
        ("Retry-After:\t 120 \t\r\n", "retry-after", "120"),
        ("X-Empty:\r\n", "x-empty", ""),
        ("WWW-Authenticate: Bearer realm=\"a:b\"\r\n", "www-authenticate", "Bearer realm=\"a:b\""),
        ("x-naïve: café\r\n", "x-naïve", "café"),
        ("Location: http://h:1/p\n", "location", "http://h:1/p"),
    ])
    func fieldLinesKeepALowercaseNameAndTheTrimmedValue(_ line: String, _ name: String, _ value: String) {
        #expect(read(line) == .field(name: name, value: value))
    }

    @Test func theEmptyLineEndsTheHeadersAndOthersAreIgnored() {
        #expect(read("\r\n") == .end)
        #expect(read("\n") == .end)
        #expect(read("") == .end)
        #expect(read(" folded continuation\r\n") == .other)
    }
}
