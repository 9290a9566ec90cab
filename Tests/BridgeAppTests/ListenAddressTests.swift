import Testing

@testable import BridgeApp

/// `server.listen` and `--listen` are parsed once, into a host and a port, or refused.
@Suite struct ListenAddressTests {
    @Test(arguments: [
        ("0.0.0.0:10057", "0.0.0.0", 10057), ("127.0.0.1:0", "127.0.0.1", 0), ("[::1]:9", "::1", 9),
        (":10057", "0.0.0.0", 10057), ("localhost:65535", "localhost", 65535),
    ])
    func addressesAreHostAndPort(_ text: String, _ host: String, _ port: Int) throws {
        let address = try #require(ListenAddress(parsing: text))
        #expect(address.host == host && address.port == port)
        #expect(ListenAddress(parsing: address.description) == address)
    }

    @Test(arguments: ["10057", "127.0.0.1:notaport", "::1:10057", "host:70000", "host:-1", "a b:1", "", ":", "x/y:1"])
    func anythingElseIsRefused(_ text: String) {
        #expect(ListenAddress(parsing: text) == nil)
    }
}
