import CCrypt
import Foundation
import Hummingbird
import Synchronization

/// HTTP basic authentication against bcrypt hashes (`basic_auth_users` of the web configuration).
///
/// bcrypt is deliberately slow (tens of milliseconds at cost 10), so verified credentials are
/// remembered; a scraper then costs one dictionary lookup per request, as in the exporter-toolkit.
/// The probes (`/healthz`, `/readyz` and Prometheus' `/-/healthy`, `/-/ready`) stay open so that
/// kubelet probes need no credentials; they reveal nothing but readiness.
public struct BasicAuthentication<Context: RequestContext>: RouterMiddleware {
    private let users: [String: String]
    private let verified = VerifiedCredentials()
    private static var openPaths: Set<String> { ["/healthz", "/readyz", "/-/healthy", "/-/ready"] }

    /// Checks requests against `users` (name to bcrypt hash).
    public init(users: [String: String]) {
        self.users = users
    }

    /// Lets authenticated requests through; answers 401 with a challenge otherwise.
    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if Self.openPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], authenticate(header) else {
            return Response(
                status: .unauthorized,
                headers: [.wwwAuthenticate: "Basic realm=\"stackbridge\"", .contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "authentication required\n")))
        }
        return try await next(request, context)
    }

    private func authenticate(_ header: String) -> Bool {
        if verified.set.withLock({ $0.contains(header) }) { return true }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic", let data = Data(base64Encoded: String(parts[1])),
            let credentials = String(data: data, encoding: .utf8), let colon = credentials.firstIndex(of: ":")
        else { return false }
        let user = String(credentials[..<colon])
        let password = String(credentials[credentials.index(after: colon)...])
        guard let hash = users[user], PasswordHash.matches(password: password, hash: hash) else { return false }
        verified.set.withLock { verified in
            // Bounded: a flood of distinct valid headers cannot grow it without limit.
            if verified.count > 1024 { verified.removeAll() }
            verified.insert(header)
        }
        return true
    }
}

/// Authorization headers already verified, shared by copies of the middleware.
final class VerifiedCredentials: Sendable {
    let set = Mutex<Set<String>>([])
}

/// Password hashes as `htpasswd -B` writes them, checked with libxcrypt's `crypt_r`.
public enum PasswordHash {
    /// Whether `password` matches the bcrypt (or other crypt(3)) `hash`.
    public static func matches(password: String, hash: String) -> Bool {
        stackbridge_crypt_matches(password, hash) == 1
    }
}
