import CCurl
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The network steps under one HTTP request, each on its own, so `stackbridge check` can say which
/// one fails: name resolution, the TCP connection, and the TLS handshake with the certificate seen.
public enum ConnectionProbe {
    /// One step's outcome.
    public struct Step: Sendable, Hashable, Codable {
        /// `proxy`, `dns`, `tcp`, `tls` or `http`.
        public var name: String
        /// Whether it worked.
        public var ok: Bool
        /// What was found, or what went wrong.
        public var detail: String

        /// A step.
        public init(_ name: String, ok: Bool, _ detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    /// The proxy libcurl uses for `url`: `explicit` (`proxy_url`), else the environment's
    /// `https_proxy`/`HTTPS_PROXY` (https), `http_proxy` (http, lower case only, as libcurl reads it)
    /// or `all_proxy`, unless `no_proxy` names the host (exact, suffix or `*`).
    public static func proxy(for url: String, explicit: String?, environment: [String: String])
        -> (url: String, source: String)?
    {
        if let explicit { return (explicit, "proxy_url") }
        guard let target = HostAndPort(url: url) else { return nil }
        let https = url.lowercased().hasPrefix("https:")
        let names =
            https
            ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] : ["http_proxy", "all_proxy", "ALL_PROXY"]
        guard let name = names.first(where: { !(environment[$0] ?? "").isEmpty }) else { return nil }
        let exclusions = (environment["no_proxy"] ?? environment["NO_PROXY"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let host = target.host.lowercased()
        for exclusion in exclusions where !exclusion.isEmpty {
            let bare = exclusion.hasPrefix(".") ? String(exclusion.dropFirst()) : exclusion
            if exclusion == "*" || host == bare || host.hasSuffix("." + bare) { return nil }
        }
        return (environment[name]!, name)
    }

    /// The addresses `host` resolves to (A and AAAA), or why it does not.
    public static func resolve(_ host: String) -> Step {
        withAddresses(host, port: nil) { first, code in
            guard let first else {
                return Step("dns", ok: false, "\(host) does not resolve: \(String(cString: gai_strerror(code)))")
            }
            var addresses: [String] = []
            var current: UnsafeMutablePointer<addrinfo>? = first
            while let entry = current {
                var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(
                    entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0,
                    NI_NUMERICHOST) == 0
                {
                    let address = String(
                        decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if !addresses.contains(address) { addresses.append(address) }
                }
                current = entry.pointee.ai_next
            }
            return Step("dns", ok: true, "\(host) → \(addresses.joined(separator: ", "))")
        }
    }

    /// Calls `body` with the `getaddrinfo` list of `host` (brackets of an IPv6 literal removed) for
    /// stream sockets, or nil and the error code, and frees the list afterwards.
    private static func withAddresses<T>(
        _ host: String, port: Int?, _ body: (UnsafeMutablePointer<addrinfo>?, Int32) -> T
    ) -> T {
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(bare, port.map(String.init), &hints, &result)
        defer { if let result { freeaddrinfo(result) } }
        return body(code == 0 ? result : nil, code)
    }

    /// Connects to `host:port` (the first address that answers) within `timeout`.
    public static func connect(_ host: String, port: Int, timeout: Duration = .seconds(5)) -> Step {
        withAddresses(host, port: port) { first, _ in
            guard let first else { return Step("tcp", ok: false, "\(host):\(port) has no address to connect to") }
            return connect(first, host: host, port: port, timeout: timeout)
        }
    }

    private static func connect(
        _ first: UnsafeMutablePointer<addrinfo>, host: String, port: Int, timeout: Duration
    ) -> Step {
        var lastError = "no address"
        var current: UnsafeMutablePointer<addrinfo>? = first
        let clock = ContinuousClock()
        while let entry = current {
            current = entry.pointee.ai_next
            let socket = Glibc.socket(entry.pointee.ai_family, entry.pointee.ai_socktype, entry.pointee.ai_protocol)
            guard socket >= 0 else { continue }
            defer { close(socket) }
            _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
            let start = clock.now
            if Glibc.connect(socket, entry.pointee.ai_addr, entry.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
                lastError = describe(errno)
                continue
            }
            var descriptor = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            let milliseconds = Int32(
                timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&descriptor, 1, milliseconds) == 1 else {
                lastError = "\(noAnswer) within \(timeout): \(filtered) (or the host is down)"
                continue
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else {
                lastError = describe(error)
                continue
            }
            let elapsed = clock.now - start
            let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
            return Step("tcp", ok: true, "connected to \(host):\(port) in \(String(format: "%.1f", ms)) ms")
        }
        return Step("tcp", ok: false, "cannot connect to \(host):\(port): \(lastError)")
    }

    /// Words in a failed `tcp` step's detail that tell the two common causes apart: a refusal
    /// means the host answered and nothing listens on the port; silence means something between
    /// drops the packets.
    public static let nothingListens = "nothing listens on that port"
    /// See ``nothingListens``.
    public static let filtered = "filtered (firewall, security group, NetworkPolicy)"
    /// See ``nothingListens``.
    public static let noAnswer = "no answer"

    /// `strerror`, with what a refusal means.
    private static func describe(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return code == ECONNREFUSED ? "\(text): \(nothingListens)" : text
    }

    /// The TLS handshake with `url`'s server (through `proxy` if set): the certificate's subject,
    /// issuer and expiry, read with verification off so they show even when it fails, then the
    /// verification result with the endpoint's CA, client certificate and server name.
    public static func tls(_ url: String, security: EndpointSecurity, proxy: String?) -> Step {
        guard let target = HostAndPort(url: url) else { return Step("tls", ok: false, "not a URL: \(url)") }
        let root = "https://\(target.host):\(target.port)/"
        var certificate: [String: String] = [:]
        let inspection = handshake(root, security: security, proxy: proxy, verify: false) { handle in
            var info: UnsafeMutablePointer<curl_certinfo>?
            guard ccurl_easy_getinfo_certinfo(handle, &info) == CURLE_OK, let info, info.pointee.num_of_certs > 0,
                var entry = info.pointee.certinfo[0]
            else { return }
            while true {
                let line = String(cString: entry.pointee.data)
                if let colon = line.firstIndex(of: ":") {
                    certificate[String(line[..<colon])] = String(line[line.index(after: colon)...])
                }
                guard let next = entry.pointee.next else { break }
                entry = next
            }
        }
        if let failure = inspection { return Step("tls", ok: false, "handshake failed: \(failure)") }
        let expiry = certificate["Expire date"] ?? "?"
        var detail =
            "subject \(certificate["Subject"] ?? "?"); issuer \(certificate["Issuer"] ?? "?"); expires \(expiry)"
        if let date = expiryDate(expiry), date < Date() {
            return Step("tls", ok: false, detail + "; EXPIRED")
        }
        if security.insecureSkipVerify {
            return Step("tls", ok: true, detail + "; not verified (insecure_skip_verify)")
        }
        if let failure = handshake(root, security: security, proxy: proxy, verify: true, inspect: { _ in }) {
            return Step("tls", ok: false, detail + "; verification failed: \(failure)")
        }
        detail += "; verified" + (security.caFile.map { " against \($0)" } ?? " against the system CAs")
        return Step("tls", ok: true, detail)
    }

    /// `Nov 22 07:00:00 2027 GMT`, OpenSSL's spelling of a certificate time.
    static func expiryDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "MMM d HH:mm:ss yyyy zzz"
        let squeezed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return formatter.date(from: squeezed)
    }

    /// Connects and handshakes only (`CURLOPT_CONNECT_ONLY`); nil on success, else the error.
    private static func handshake(
        _ url: String, security: EndpointSecurity, proxy: String?, verify: Bool,
        inspect: (UnsafeMutableRawPointer) -> Void
    ) -> String? {
        _ = HTTPClient.initializeLibcurl
        guard let handle = curl_easy_init() else { return "curl_easy_init failed" }
        defer { curl_easy_cleanup(handle) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(to: 0)
        defer { errorBuffer.deallocate() }
        var strings: [UnsafeMutablePointer<CChar>] = []
        var lists: [UnsafeMutablePointer<curl_slist>] = []
        defer {
            for string in strings { free(string) }
            for list in lists { curl_slist_free_all(list) }
        }
        func set(_ option: CURLoption, _ value: String) {
            let copy = strdup(value)!
            strings.append(copy)
            _ = ccurl_easy_setopt_string(handle, option, copy)
        }
        var target = url
        if let serverName = security.serverName, let parts = HostAndPort(url: url) {
            target = parts.replacingHost(in: url, with: serverName)
            let list = curl_slist_append(nil, "\(serverName):\(parts.port):\(parts.host):\(parts.port)")!
            lists.append(list)
            _ = ccurl_easy_setopt_slist(handle, CURLOPT_CONNECT_TO, list)
        }
        set(CURLOPT_URL, target)
        _ = ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_easy_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1)
        _ = ccurl_easy_setopt_long(handle, CURLOPT_CERTINFO, 1)
        _ = ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, 10_000)
        _ = ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, verify ? 1 : 0)
        _ = ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, verify ? 2 : 0)
        _ = ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        if let caFile = security.caFile { set(CURLOPT_CAINFO, caFile) }
        if let certFile = security.certFile { set(CURLOPT_SSLCERT, certFile) }
        if let keyFile = security.keyFile { set(CURLOPT_SSLKEY, keyFile) }
        if let proxy { set(CURLOPT_PROXY, proxy) } else { set(CURLOPT_PROXY, "") }
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let message = String(cString: errorBuffer)
            return message.isEmpty ? String(cString: curl_easy_strerror(code)) : message
        }
        inspect(handle)
        return nil
    }
}
