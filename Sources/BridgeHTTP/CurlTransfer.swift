import CCurl
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One request in flight: its libcurl easy handle, the buffers libcurl writes into, and the
/// continuation that gets the result.
///
/// Created and configured on the caller's task, then owned by the driver thread until it completes;
/// the callbacks run on the driver thread only.
final class CurlTransfer: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    let url: String
    let maxBodyBytes: Int
    let expectedBodyBytes: Int
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var status = 0
    var bodyTooLarge = false
    /// The client's budget for bodies in flight, and how much of it this transfer holds.
    let budget: BodyBudget?
    private var reserved = 0
    var overBudget = false
    /// Set for ``HTTPRequest/strictGzip``: the body is inflated here (``GzipInflater``).
    let strictGzip: Bool
    /// The current response's inflater, made at its first body byte when it is gzip.
    private var inflater: GzipInflater?
    private var encodingChecked = false
    /// Why the body could not be decoded.
    private var decodeFailure: String?
    var continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>?
    /// Set by a cancel from any thread; checked by the driver when the transfer arrives.
    let cancelRequested = Mutex(false)
    /// Set for streamed transfers: body bytes go there instead of ``body``.
    var streamSink: StreamSink?
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private var postBody: UnsafeMutableRawBufferPointer?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(request: HTTPRequest, userAgent: String, authorization: String?, budget: BodyBudget? = nil) throws {
        guard let handle = curl_easy_init() else {
            throw HTTPError(kind: .other, url: request.url, detail: "curl_easy_init failed")
        }
        self.handle = handle
        self.budget = budget
        url = request.url
        strictGzip = request.strictGzip
        maxBodyBytes = request.maxBodyBytes
        expectedBodyBytes = maxBodyBytes > 0 ? min(request.expectedBodyBytes, maxBodyBytes) : request.expectedBodyBytes
        errorBuffer.initialize(to: 0)
        try configure(request, userAgent: userAgent, authorization: authorization)
    }

    deinit {
        budget?.release(reserved)
        curl_easy_cleanup(handle)
        for list in lists { curl_slist_free_all(list) }
        for string in strings { free(string) }
        postBody?.deallocate()
        errorBuffer.deallocate()
    }

    private func configure(_ request: HTTPRequest, userAgent: String, authorization: String?) throws {
        var target = request.url
        var connectTo: String?
        if let serverName = request.security.serverName, let parts = HostAndPort(url: request.url) {
            // Verify the certificate against (and send SNI for) serverName while connecting to the
            // URL's own host: libcurl's documented way is CONNECT_TO with the URL rewritten.
            target = parts.replacingHost(in: request.url, with: serverName)
            connectTo = "\(serverName):\(parts.port):\(parts.host):\(parts.port)"
        }
        set(CURLOPT_URL, target)
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
        set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        // Redirects are followed by HTTPClient, within the origin only (HTTPRequest.Redirects).
        set(CURLOPT_FOLLOWLOCATION, 0)
        set(CURLOPT_USERAGENT, userAgent)
        set(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        if let bytes = Self.receiveBufferBytes(expectedBodyBytes: request.expectedBodyBytes) {
            set(CURLOPT_BUFFERSIZE, bytes)
        }
        set(
            CURLOPT_HTTP_VERSION,
            Int(request.security.enableHTTP2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1))
        if request.strictGzip {
            // The header is set by hand so that libcurl leaves the body encoded (its decoder
            // cannot tell a truncated gzip stream from a whole one).
            set(CURLOPT_HTTP_CONTENT_DECODING, 0)
        } else if request.acceptCompression {
            set(CURLOPT_ACCEPT_ENCODING, "")
        }
        if request.maxBodyBytes > 0 {
            _ = ccurl_easy_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxBodyBytes))
        }
        if let connectTo { set(CURLOPT_CONNECT_TO, list([connectTo])) }
        try configureSecurity(request.security, url: request.url)
        var headerLines = request.headers.map { "\($0.name): \($0.value)" }
        if request.strictGzip { headerLines.append("Accept-Encoding: gzip") }
        if let authorization { headerLines.append("Authorization: \(authorization)") }
        if request.method != .get, let body = request.body {
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(body.count, 1), alignment: 1)
            copy.copyBytes(from: body)
            postBody = copy
            set(CURLOPT_POST, 1)
            set(CURLOPT_POSTFIELDS, copy.baseAddress!)
            _ = ccurl_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            // libcurl sends POSTFIELDS with any method it is told to use instead of POST.
            if request.method == .put { set(CURLOPT_CUSTOMREQUEST, "PUT") }
            headerLines.append("Expect:")  // No 100-continue round trip.
        }
        if !headerLines.isEmpty { set(CURLOPT_HTTPHEADER, list(headerLines)) }
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = ccurl_easy_setopt_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
        set(CURLOPT_WRITEDATA, context)
        _ = ccurl_easy_setopt_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        set(CURLOPT_HEADERDATA, context)
        set(CURLOPT_PRIVATE, context)
    }

    /// libcurl's receive buffer for a body of about `expectedBodyBytes`, or nil for its default
    /// (16 KiB). libcurl reads at most one buffer per `recv` and hands each to the write callback,
    /// so a 19 MB kube-state-metrics body took about 1,200 reads, callbacks and poll wake-ups;
    /// 128 KiB for bodies of 64 KiB and more halved the `recvfrom` calls and cut the `poll`
    /// wake-ups by a third at 10× in docs/performance.md (a larger buffer gained nothing more).
    static func receiveBufferBytes(expectedBodyBytes: Int) -> Int? {
        expectedBodyBytes >= 64 << 10 ? 128 << 10 : nil
    }

    private func configureSecurity(_ security: EndpointSecurity, url: String) throws {
        if let caFile = security.caFile { set(CURLOPT_CAINFO, caFile) }
        if let certFile = security.certFile { set(CURLOPT_SSLCERT, certFile) }
        if let keyFile = security.keyFile { set(CURLOPT_SSLKEY, keyFile) }
        if security.insecureSkipVerify {
            set(CURLOPT_SSL_VERIFYPEER, 0)
            set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let proxy = security.proxyURL { set(CURLOPT_PROXY, proxy) }
        if !security.proxyConnectHeaders.isEmpty {
            // Sent to the proxy only; CURLHEADER_SEPARATE keeps them out of the request itself.
            let lines = security.proxyConnectHeaders.sorted { $0.key < $1.key }.flatMap { name, values in
                values.map { "\(name): \($0)" }
            }
            set(CURLOPT_PROXYHEADER, list(lines))
            set(CURLOPT_HEADEROPT, 1)  // CURLHEADER_SEPARATE, a macro Swift cannot import.
        }
        if let version = security.minTLSVersion ?? security.maxTLSVersion.map({ _ in .tls10 }) {
            set(CURLOPT_SSLVERSION, Self.sslVersion(minimum: version, maximum: security.maxTLSVersion))
        }
        if let basic = security.basicAuth {
            set(CURLOPT_HTTPAUTH, 1)  // CURLAUTH_BASIC, a macro Swift cannot import.
            set(CURLOPT_USERNAME, basic.username)
            set(CURLOPT_PASSWORD, basic.password)
        }
    }

    /// libcurl's `CURLOPT_SSLVERSION` for a TLS version range: the minimum in the low bits, the
    /// maximum shifted by 16 (`CURL_SSLVERSION_MAX_*`), 0 for "the newest the library has".
    static func sslVersion(minimum: EndpointSecurity.TLSVersion, maximum: EndpointSecurity.TLSVersion?) -> Int {
        let low: Int =
            switch minimum {
            case .tls10: Int(CURL_SSLVERSION_TLSv1_0)
            case .tls11: Int(CURL_SSLVERSION_TLSv1_1)
            case .tls12: Int(CURL_SSLVERSION_TLSv1_2)
            case .tls13: Int(CURL_SSLVERSION_TLSv1_3)
            }
        let high: Int =
            switch maximum {
            case nil: Int(CURL_SSLVERSION_MAX_DEFAULT)
            case .tls10: Int(CURL_SSLVERSION_MAX_TLSv1_0)
            case .tls11: Int(CURL_SSLVERSION_MAX_TLSv1_1)
            case .tls12: Int(CURL_SSLVERSION_MAX_TLSv1_2)
            case .tls13: Int(CURL_SSLVERSION_MAX_TLSv1_3)
            }
        return low | high
    }

    /// The response, or the classified error, once libcurl reports the transfer done.
    func result(code: CURLcode) -> Result<HTTPResponse, HTTPError> {
        if overBudget, let budget {
            return .failure(
                HTTPError(
                    kind: .bodyTooLarge, url: url,
                    detail: "bodies in flight would exceed the client's memory budget of \(budget.limit) bytes "
                        + "(scrape.body_memory_budget); transfer aborted"))
        }
        if let decodeFailure {
            return .failure(
                HTTPError(kind: .decode, url: url, detail: "gzip body could not be decoded: \(decodeFailure)"))
        }
        if bodyTooLarge || code == CURLE_FILESIZE_EXCEEDED {
            return .failure(
                HTTPError(
                    kind: .bodyTooLarge, url: url, detail: "body larger than \(maxBodyBytes) bytes; transfer aborted")
            )
        }
        guard code == CURLE_OK else {
            let message = String(cString: errorBuffer)
            var detail = message.isEmpty ? String(cString: curl_easy_strerror(code)) : message
            var kind = CurlErrorClassification.kind(of: code, message: detail)
            if kind == .other && status == 0 && url.lowercased().hasPrefix("https:")
                && (code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR)
            {
                // TLS 1.3 servers that reject the client (no or unknown client certificate) close the
                // connection right after the handshake, which libcurl sees as a send or receive error.
                kind = .tls
                detail +=
                    " (the server closed the TLS connection before answering; does it require a client certificate?)"
            }
            return .failure(HTTPError(kind: kind, url: url, detail: detail))
        }
        if let inflater, !inflater.isComplete {
            return .failure(
                HTTPError(
                    kind: .decode, url: url,
                    detail: "gzip body ends before the end of its stream (truncated after \(body.count) decoded bytes)")
            )
        }
        var version = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_HTTP_VERSION, &version)
        let versionText =
            switch Int32(version) {
            case Int32(CURL_HTTP_VERSION_1_0): "1.0"
            case Int32(CURL_HTTP_VERSION_2_0): "2"
            case Int32(CURL_HTTP_VERSION_3): "3"
            default: "1.1"
            }
        return .success(HTTPResponse(status: status, headers: headers, body: body, httpVersion: versionText))
    }

    /// Called by libcurl with body bytes; returning less than given aborts the transfer.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if let streamSink {
            streamSink.headersComplete(status: status, headers: headers)
            // CURL_WRITEFUNC_PAUSE: libcurl keeps the bytes and delivers them again after unpausing.
            return streamSink.receive(bytes) ? bytes.count : Int(CURL_WRITEFUNC_PAUSE)
        }
        if strictGzip && !encodingChecked {
            encodingChecked = true
            let encoding = headers.last { $0.name.lowercased() == "content-encoding" }?.value
            if encoding?.trimmingCharacters(in: .whitespaces).lowercased() == "gzip" {
                inflater = GzipInflater()
                if inflater == nil {
                    decodeFailure = "zlib could not allocate its state"
                    return 0
                }
            }
        }
        if let inflater {
            switch inflater.inflate(bytes, emit: append) {
            case .more: return bytes.count
            case .refused: return 0
            case .corrupt(let reason):
                decodeFailure = reason
                return 0
            }
        }
        return append(bytes) ? bytes.count : 0
    }

    /// Appends decoded body bytes within the body limit and the client's budget; false to abort.
    private func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let needed = body.count + bytes.count
        if maxBodyBytes > 0 && needed > maxBodyBytes {
            bodyTooLarge = true
            return false
        }
        if needed > body.capacity {
            // Grown here rather than by the array's doubling, so that a body never takes more than
            // its limit (doubling past it cost up to twice the limit) and the budget sees every byte.
            var capacity = max(needed, body.isEmpty ? expectedBodyBytes : body.capacity * 2)
            if maxBodyBytes > 0 { capacity = min(capacity, maxBodyBytes) }
            if let budget {
                guard budget.reserve(capacity - reserved) else {
                    overBudget = true
                    return false
                }
                reserved = capacity
            }
            body.reserveCapacity(capacity)
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// Called by libcurl with one header line; a status line starts a new response (redirects).
    func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        switch HTTPHeaderLine(bytes) {
        case .end:
            if let streamSink, status >= 200, !(300..<400).contains(status) {
                // The final response's headers are complete (redirects and 1xx responses have their own).
                streamSink.headersComplete(status: status, headers: headers)
            }
        case .status(let code):
            headers.removeAll()
            status = code
            inflater = nil
            encodingChecked = false
        case .field(let name, let value):
            headers.append((name, value))
        case .other:
            break
        }
        return bytes.count
    }

    private func set(_ option: CURLoption, _ value: Int) {
        _ = ccurl_easy_setopt_long(handle, option, value)
    }

    private func set(_ option: CURLoption, _ value: String) {
        let copy = strdup(value)!
        strings.append(copy)
        _ = ccurl_easy_setopt_string(handle, option, copy)
    }

    private func set(_ option: CURLoption, _ value: UnsafeMutableRawPointer) {
        _ = ccurl_easy_setopt_pointer(handle, option, value)
    }

    private func set(_ option: CURLoption, _ value: UnsafeMutablePointer<curl_slist>) {
        _ = ccurl_easy_setopt_slist(handle, option, value)
    }

    private func list(_ lines: [String]) -> UnsafeMutablePointer<curl_slist> {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines { list = curl_slist_append(list, line) }
        lists.append(list!)
        return list!
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

/// libcurl's write callback: hands body bytes to the transfer named by the context pointer.
private func curlWriteBody(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
)
    -> Int
{
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
}

/// libcurl's header callback.
private func curlWriteHeader(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
)
    -> Int
{
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
}
