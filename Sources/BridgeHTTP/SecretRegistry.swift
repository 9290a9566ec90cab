import Foundation
import Synchronization

/// Every credential the process sends (API keys, tokens, passwords, URL credentials), so that text
/// a peer sends back can be stripped of them before it is quoted: a receiver or a gateway that
/// echoes the request would otherwise put them into the error log.
///
/// Credentials are registered where they are used — the HTTP client registers each one it puts on
/// a request, token files register what they read — so rotated tokens are covered too. Values
/// shorter than 4 bytes are not registered: replacing them would mangle ordinary text.
public final class SecretRegistry: Sendable {
    /// The process' registry.
    public static let shared = SecretRegistry()

    private let secrets = Mutex<[String]>([])

    /// An empty registry (tests use their own).
    public init() {}

    /// Remembers `secret` (surrounding white space removed); nil and short values are ignored.
    public func register(_ secret: String?) {
        guard let secret = secret?.trimmingCharacters(in: .whitespacesAndNewlines), secret.utf8.count >= 4 else {
            return
        }
        secrets.withLock { secrets in
            guard !secrets.contains(secret) else { return }
            secrets.append(secret)
            // Longest first, so that a secret containing another is replaced whole.
            secrets.sort { $0.utf8.count > $1.utf8.count }
        }
    }

    /// `text` with every registered secret replaced by `REDACTED`.
    public func redact(_ text: String) -> String {
        let secrets = secrets.withLock { $0 }
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: "REDACTED")
        }
        return result
    }
}
