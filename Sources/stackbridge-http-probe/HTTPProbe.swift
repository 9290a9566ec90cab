import BridgeHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// `stackbridge-http-probe [--ca FILE] [--insecure] URL`: one GET through BridgeHTTP, exactly as
/// a scrape would send it, printing `status <code> version <v> bytes <n>` or `error <kind>: <message>`.
///
/// A diagnostic for operators (does the proxy from the environment apply? does the CA verify?) and
/// the way tests run the client under a controlled environment.
@main
enum HTTPProbe {
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var security = EndpointSecurity()
        while let first = arguments.first, first.hasPrefix("--") {
            arguments.removeFirst()
            switch first {
            case "--ca" where !arguments.isEmpty: security.caFile = arguments.removeFirst()
            case "--insecure": security.insecureSkipVerify = true
            default:
                print("unknown option \(first)")
                exit(2)
            }
        }
        guard arguments.count == 1 else {
            print("usage: stackbridge-http-probe [--ca FILE] [--insecure] URL")
            exit(2)
        }
        let client = HTTPClient(userAgent: "stackbridge-http-probe")
        do {
            let response = try await client.execute(HTTPRequest(url: arguments[0], security: security))
            print("status \(response.status) version \(response.httpVersion) bytes \(response.body.count)")
        } catch {
            print("error \(error.kind.rawValue): \(error)")
            exit(1)
        }
    }
}
