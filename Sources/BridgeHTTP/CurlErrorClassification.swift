import CCurl

/// Maps libcurl result codes to ``HTTPError/Kind`` (libcurl-errors(3)).
enum CurlErrorClassification {
    /// The kind for `code`; `message` (libcurl's error buffer) tells TLS alerts that arrive after the
    /// handshake, such as TLS 1.3's "certificate required", from other receive errors.
    static func kind(of code: CURLcode, message: String) -> HTTPError.Kind {
        if code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR, message.contains("SSL") || message.contains("alert") {
            return .tls
        }
        return switch code {
        case CURLE_COULDNT_RESOLVE_HOST: .dns
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_PROXY: .proxy
        case CURLE_COULDNT_CONNECT: .connect
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_INVALIDCERTSTATUS, CURLE_USE_SSL_FAILED:
            .tls
        case CURLE_FILESIZE_EXCEEDED: .bodyTooLarge
        case CURLE_ABORTED_BY_CALLBACK: .cancelled
        default: .other
        }
    }
}
