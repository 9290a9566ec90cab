#!/usr/bin/env python3
"""A real HTTP(S) server for stackbridge's transport and scrape tests.

Listens on 127.0.0.1 on a free port and prints "PORT <n>" once it accepts connections. Paths:
  /metrics?series=N        text exposition with N series (about 100 bytes each)
  /gzip, /zstd             the same body, compressed when the client accepts the encoding
  /slow?seconds=S          waits S seconds, then answers
  /huge?bytes=N            streams N bytes without Content-Length
  /auth                    200 when Authorization is "Bearer <current token file content>", else 401
  /basic                   200 for basic auth user:secret, else 401
  /status/<code>           answers with that status
  /headers                 echoes the request headers
  /redirect?to=URL[&code=C]  answers C (302) with Location URL, for GET and POST
  /echo/<code>             answers <code> with the request line, headers and body echoed back, then a
                           forged log line with CR, LF and ESC, for GET and POST
  /moved/<code>/REST       answers <code> with Location <--redirect-to>/REST (query included), GET and POST
  GET  /received           every request this server got (but /received): method, path, headers, body
  /toggle                  answers 200 while the file named by --toggle-file exists, else 404
  /stall                   an exposition of 3 series, or a 30 s stall while the --toggle-file exists
  /varying                 an exposition with as many series as the --series-file holds
  /garbage                 bytes that are no exposition at all
  /stream?lines=N&interval=S[&hold=F]   N JSON lines, one every S seconds, then (with hold) a wait
                           until file F exists and an END line, ended by closing the connection
  /api/v1/nodes/<n>/proxy/metrics/...   a kubelet-like body with explicit timestamps
  /api/v1/namespaces/...   the JSON in --endpoints-json (an Endpoints object)
  POST /write/<code>[?retry_after=V]   a scripted remote-write receiver: reads the body, answers with
                           <code>, a Retry-After of V when given, and the message "scripted <code>";
                           /write/toggle answers 503 while the --toggle-file exists, else 204
  GET  /writes             how many POSTs /write/... received, and their header lines, as text
Options: --tls CERT KEY, --client-ca CA (require a client certificate), --tls-max 1.2 (the newest TLS
version offered), --redirect-to URL (for /moved/), --token-file F, --toggle-file F, --series-file F, --endpoints-json F.
"""
import argparse
import base64
import gzip
import http.server
import os
import ssl
import subprocess
import sys
import time
import urllib.parse


def exposition(series):
    lines = ["# HELP fixture_value A value per series.", "# TYPE fixture_value gauge"]
    for i in range(series):
        lines.append('fixture_value{index="%d",pod="pod-%d",namespace="ns-%d"} %d' % (i, i % 97, i % 7, i))
    return ("\n".join(lines) + "\n").encode()


def zstd_compress(data):
    return subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_body(self, status, body, content_type="text/plain; version=0.0.4; charset=utf-8", encoding=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def record(self, body=b""):
        if not self.path.startswith("/received"):
            self.server.received.append("%s %s\n%s%s\n" % (
                self.command, self.path, str(self.headers), body.decode("utf-8", "replace")))

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.record(body)
        if not url.path.startswith("/write/"):
            return self.answer(url, body)
        if url.path.startswith("/write/"):
            name = url.path.split("/")[2]
            if name == "toggle":
                code = 503 if os.path.exists(self.server.toggle_file) else 204
            else:
                code = int(name)
            query = urllib.parse.parse_qs(url.query)
            self.server.writes.append("%s %s %s %s %d" % (
                self.headers.get("Content-Encoding"), self.headers.get("Content-Type"),
                self.headers.get("X-Prometheus-Remote-Write-Version"), self.headers.get("User-Agent"), length))
            # 204 and 304 carry no body (RFC 9110 §15.3.5): bytes after one would be read on a
            # kept-alive connection as the start of the next response.
            body = b"" if code in (204, 304) else ("scripted %d\n" % code).encode()
            self.send_response(code)
            if "retry_after" in query:
                self.send_header("Retry-After", query["retry_after"][0])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_body(404, b"not found\n")

    def do_GET(self):
        self.record()
        self.answer(urllib.parse.urlparse(self.path), b"")

    def answer(self, url, request_body):
        query = urllib.parse.parse_qs(url.query)
        accept = self.headers.get("Accept-Encoding", "")
        if url.path == "/metrics":
            self.send_body(200, exposition(int(query.get("series", ["10"])[0])))
        elif url.path == "/gzip":
            body = exposition(500)
            if "gzip" in accept:
                self.send_body(200, gzip.compress(body), encoding="gzip")
            else:
                self.send_body(200, body)
        elif url.path == "/zstd":
            body = exposition(500)
            if "zstd" in accept:
                self.send_body(200, zstd_compress(body), encoding="zstd")
            else:
                self.send_body(200, body)
        elif url.path == "/slow":
            time.sleep(float(query.get("seconds", ["5"])[0]))
            self.send_body(200, exposition(1))
        elif url.path == "/huge":
            remaining = int(query.get("bytes", ["100000000"])[0])
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"x" * 65536
            try:
                while remaining > 0:
                    self.wfile.write(chunk[: min(remaining, len(chunk))])
                    remaining -= len(chunk)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass
            self.close_connection = True
        elif url.path == "/auth":
            with open(self.server.token_file) as f:
                expected = "Bearer " + f.read().strip()
            if self.headers.get("Authorization") == expected:
                self.send_body(200, exposition(1))
            else:
                self.send_body(401, b"unauthorized\n")
        elif url.path == "/basic":
            expected = "Basic " + base64.b64encode(b"user:secret").decode()
            self.send_body(200 if self.headers.get("Authorization") == expected else 401, b"basic\n")
        elif url.path.startswith("/status/"):
            self.send_body(int(url.path.split("/")[2]), b"status\n")
        elif url.path == "/writes":
            self.send_body(200, ("\n".join(self.server.writes) + "\n").encode())
        elif url.path == "/headers":
            self.send_body(200, str(self.headers).encode())
        elif url.path == "/redirect":
            self.send_response(int(query.get("code", ["302"])[0]))
            self.send_header("Location", query.get("to", ["/headers"])[0])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path.startswith("/moved/"):
            parts = self.path.split("/", 3)
            self.send_response(int(parts[2]))
            self.send_header("Location", self.server.redirect_to + "/" + (parts[3] if len(parts) > 3 else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path.startswith("/echo/"):
            echoed = ("%s %s\r\n%s%s" % (self.command, self.path, str(self.headers),
                                          request_body.decode("utf-8", "replace"))).encode()
            forged = b"\r\nlevel=error msg=\"forged by a peer\"\n\x1b[2J\x1b[31mred\x07"
            self.send_body(int(url.path.split("/")[2]), echoed + forged)
        elif url.path == "/received":
            self.send_body(200, "".join(self.server.received).encode())
        elif url.path == "/varying":
            with open(self.server.series_file) as f:
                self.send_body(200, exposition(int(f.read().strip())))
        elif url.path == "/stream":
            lines = int(query.get("lines", ["10"])[0])
            interval = float(query.get("interval", ["0.05"])[0])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for index in range(lines):
                    self.wfile.write(b'{"type":"ADDED","index":%d}\n' % index)
                    self.wfile.flush()
                    time.sleep(interval)
                hold = query.get("hold", [None])[0]
                if hold:
                    deadline = time.time() + 60
                    while not os.path.exists(hold) and time.time() < deadline:
                        time.sleep(0.02)
                    self.wfile.write(b"END\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        elif url.path == "/raw":
            # A body given by the test: `body` (URL-safe base64), `type`, `gzip=1` to compress it,
            # `cut=N` to send only the first N bytes of what goes on the wire, `nolength=1` to
            # send no Content-Length and end the body by closing the connection.
            body = base64.urlsafe_b64decode(query.get("body", [""])[0])
            gzipped = query.get("gzip", ["0"])[0] == "1"
            if gzipped:
                body = gzip.compress(body)
            if "cut" in query:
                body = body[: int(query["cut"][0])]
            self.send_response(200)
            self.send_header("Content-Type", query.get("type", ["text/plain; version=0.0.4"])[0])
            if gzipped:
                self.send_header("Content-Encoding", "gzip")
            if query.get("nolength", ["0"])[0] == "1":
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif url.path == "/garbage":
            self.send_body(200, b"\x00\x01{{{ not an exposition\n<html>oops</html>\n")
        elif url.path.startswith("/api/v1/nodes/"):
            node = url.path.split("/")[4]
            body = (
                "# TYPE machine_cpu_cores gauge\n"
                "machine_cpu_cores 4 1700000000000\n"
                "# TYPE kubelet_node_name gauge\n"
                'kubelet_node_name{node="%s"} 1\n'
                'kubelet_node_name{node="elsewhere"} 1\n' % node
            )
            self.send_body(200, body.encode())
        elif url.path.startswith("/api/v1/namespaces/"):
            with open(self.server.endpoints_json, "rb") as f:
                self.send_body(200, f.read(), content_type="application/json")
        elif url.path == "/stall":
            if os.path.exists(self.server.toggle_file):
                time.sleep(30)
            self.send_body(200, exposition(3))
        elif url.path == "/toggle":
            present = os.path.exists(self.server.toggle_file)
            self.send_body(200 if present else 404, exposition(5) if present else b"gone\n")
        else:
            self.send_body(404, b"not found\n")



def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tls", nargs=2)
    parser.add_argument("--client-ca")
    parser.add_argument("--tls-max")
    parser.add_argument("--redirect-to", default="http://127.0.0.1:9")
    parser.add_argument("--token-file", default="/nonexistent")
    parser.add_argument("--toggle-file", default="/nonexistent")
    parser.add_argument("--series-file", default="/nonexistent")
    parser.add_argument("--endpoints-json", default="/nonexistent")
    args = parser.parse_args()
    # The default backlog of 5 refuses or delays connections when a test opens many at once.
    http.server.ThreadingHTTPServer.request_queue_size = 128
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.token_file = args.token_file
    server.toggle_file = args.toggle_file
    server.series_file = args.series_file
    server.writes = []
    server.received = []
    server.redirect_to = args.redirect_to
    server.endpoints_json = args.endpoints_json
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])
        if args.tls_max == "1.2":
            context.maximum_version = ssl.TLSVersion.TLSv1_2
        if args.client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args.client_ca)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
