import Foundation

/// A CA, a server certificate for `localhost` and `bridge.test` (deliberately not for 127.0.0.1, so
/// that a server-name override can be shown to work), and a client certificate,
/// made with the `openssl` command at test time in a temporary directory.
public struct TestCertificates: Sendable {
    /// The directory holding the files.
    public let directory: String
    /// CA certificate (PEM).
    public var caFile: String { directory + "/ca.pem" }
    /// Server certificate and key.
    public var serverCert: String { directory + "/server.pem" }
    /// Server key.
    public var serverKey: String { directory + "/server.key" }
    /// Client certificate signed by the CA.
    public var clientCert: String { directory + "/client.pem" }
    /// Client key.
    public var clientKey: String { directory + "/client.key" }

    /// Generates everything; throws when openssl fails.
    public init() throws {
        directory = NSTemporaryDirectory() + "stackbridge-certs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.openssl(
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=stackbridge test CA",
            ], in: directory)
        try "subjectAltName=DNS:localhost,DNS:bridge.test\n".write(
            toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: directory + "/client.ext", atomically: true, encoding: .utf8)
        for (name, subject) in [("server", "/CN=bridge.test"), ("client", "/CN=stackbridge")] {
            try Self.openssl(
                [
                    "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj",
                    subject,
                ],
                in: directory)
            try Self.openssl(
                [
                    "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext",
                ], in: directory)
        }
    }

    /// Removes the files.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func openssl(_ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PeerError("openssl \(arguments.prefix(2).joined(separator: " ")) failed")
        }
    }
}
