import Foundation

/// Debian's nginx on a free 127.0.0.1 port, serving one body at every path, optionally over TLS
/// with HTTP/2. Every response carries `X-Connection: <nginx connection serial>`, which shows
/// whether a client reused a connection. `POST /write` is a remote-write sink that costs next to
/// nothing: it answers 204 and logs each request's `Content-Length` (``received``).
public final class NginxServer: @unchecked Sendable {
    private let peer: PeerProcess
    private let directory: String
    /// The port.
    public let port: Int
    /// `http://127.0.0.1:PORT` or `https://localhost:PORT`.
    public let baseURL: String

    /// Starts nginx; `tls` is (certificate, key) and enables HTTP/2 on the TLS listener.
    public init(body: [UInt8], tls: (cert: String, key: String)? = nil) throws {
        let directory = NSTemporaryDirectory() + "stackbridge-nginx-\(UUID().uuidString)"
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/body.prom", contents: Data(body))
        port = try PeerProcess.freePort()
        let listen = tls == nil ? "listen 127.0.0.1:\(port);" : "listen 127.0.0.1:\(port) ssl http2;"
        let certificates = tls.map { "ssl_certificate \($0.cert);\n        ssl_certificate_key \($0.key);" } ?? ""
        let config = """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path \(directory)/body;
                proxy_temp_path \(directory)/proxy;
                fastcgi_temp_path \(directory)/fastcgi;
                uwsgi_temp_path \(directory)/uwsgi;
                scgi_temp_path \(directory)/scgi;
                default_type "text/plain; version=0.0.4";
                keepalive_requests 100000;
                log_format length $content_length;
                server {
                    \(listen)
                    \(certificates)
                    root \(directory);
                    add_header X-Connection $connection always;
                    location / { try_files /body.prom =404; }
                    location = /write {
                        access_log \(directory)/write.log length;
                        client_max_body_size 256m;
                        return 204;
                    }
                }
            }

            """
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        peer = try PeerProcess("/usr/sbin/nginx", ["-p", directory, "-c", directory + "/nginx.conf"])
        baseURL = tls == nil ? "http://127.0.0.1:\(port)" : "https://localhost:\(port)"
        guard PeerProcess.waitForPort(port) else {
            peer.stop()
            throw PeerError("nginx did not start on port \(port)")
        }
    }

    /// Requests to `/write` so far and the sum of their `Content-Length`.
    public var received: (requests: Int, bytes: Int) {
        let log = (try? String(contentsOfFile: directory + "/write.log", encoding: .utf8)) ?? ""
        let lengths = log.split(separator: "\n").map { Int($0) ?? 0 }
        return (lengths.count, lengths.reduce(0, +))
    }

    /// Stops nginx.
    public func stop() {
        peer.stop()
    }
}
