#!/usr/bin/env python3
"""A small Kubernetes API for stackbridge's watcher tests: pods only, with real list and watch semantics.

Listens on 127.0.0.1 (prints "PORT <n>"). Kubernetes behaviour it reproduces:
  GET /api/v1/pods?limit=N[&continue=T]     paginated list; metadata.resourceVersion and continue
  GET /api/v1/pods?watch=1&resourceVersion=R[&allowWatchBookmarks=true][&timeoutSeconds=S]
      streams {"type","object"} lines for every change after R, then new ones as they happen;
      a BOOKMARK every 0.3 s when asked; R older than the last compaction gives one ERROR event
      with a Status of code 410 (as the apiserver does for "too old resource version")
  GET /apis/apps/v1/deployments...          403 Forbidden, for the RBAC path
  GET /apis/batch/v1/cronjobs               404 (an old cluster); /apis/batch/v1beta1/cronjobs lists one
  GET /version, /healthz                     as a v1.21 apiserver answers them
  GET ...?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan
                                             422 Invalid, as a v1.21 apiserver refuses resourceVersionMatch on
                                             a watch (no streaming lists before Kubernetes 1.27)
  GET /api/v1/secrets                        a server without metadata-only support: whole Secrets, with
                                             data, whatever the Accept header asks for
  GET /api/v1/configmaps                     a metadata-only list, then a watch that streams a whole
                                             ConfigMap, with data
Control (tests only):
  POST /control/add?name=P[&node=N][&malformed=1]  (malformed: spec.containers is a string)
  POST /control/delete?name=P  POST /control/compact
  POST /control/drop                 close every open watch
  POST /control/silent-delete?name=P remove a pod without any watch event and compact history past
                                     it, so only a relist can notice (as after an etcd compaction)
  POST /control/expire-continue      the next list continue token gets 410
  GET  /control/watches              how many watch requests were served
"""
import json
import threading
import time
import http.server
import urllib.parse

lock = threading.Condition()
state = {"rv": 100, "pods": {}, "events": [], "compacted": 0, "generation": 0, "watches": 0, "expire": False,
         "bookmarks": True}


def pod(name, node, rv):
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "default", "uid": "uid-" + name, "resourceVersion": str(rv),
                         "labels": {"app": "demo"}},
            "spec": {"nodeName": node, "containers": [{"name": "main", "image": "demo:1"}]},
            "status": {"phase": "Running"}}


def change(kind, name, node="node-1", malformed=False):
    with lock:
        state["rv"] += 1
        rv = state["rv"]
        if kind == "DELETED":
            obj = state["pods"].pop(name, None) or pod(name, node, rv)
            obj = json.loads(json.dumps(obj))
            obj["metadata"]["resourceVersion"] = str(rv)
        else:
            kind = "MODIFIED" if name in state["pods"] else "ADDED"
            obj = pod(name, node, rv)
            if malformed:
                obj["spec"]["containers"] = "not a list"
            state["pods"][name] = obj
        state["events"].append((rv, kind, obj))
        lock.notify_all()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/control/add":
            change("ADDED", query["name"][0], query.get("node", ["node-1"])[0], query.get("malformed") == ["1"])
        elif url.path == "/control/delete":
            change("DELETED", query["name"][0])
        elif url.path == "/control/silent-delete":
            with lock:
                state["pods"].pop(query["name"][0], None)
                state["rv"] += 1
                state["compacted"] = state["rv"]
                # No more bookmarks: one could carry the version past the compaction and hide it.
                state["bookmarks"] = False
        elif url.path == "/control/compact":
            with lock:
                state["compacted"] = state["rv"]
        elif url.path == "/control/drop":
            with lock:
                state["generation"] += 1
                lock.notify_all()
        elif url.path == "/control/expire-continue":
            with lock:
                state["expire"] = True
        self.reply(200, {"rv": state["rv"]})

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/control/watches":
            return self.reply(200, {"watches": state["watches"]})
        if url.path == "/version":
            return self.reply(200, {"major": "1", "minor": "21", "gitVersion": "v1.21.14", "platform": "linux/amd64"})
        if url.path == "/healthz":
            data = b"ok"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(data)
            return
        if query.get("watch", ["0"])[0] in ("1", "true") and "resourceVersionMatch" in query:
            return self.reply(422, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 422,
                                    "reason": "Invalid",
                                    "message": "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: "
                                               "Forbidden: resourceVersionMatch is forbidden for watch"})
        if url.path.startswith("/apis/batch/v1/cronjobs"):
            return self.reply(404, {"kind": "Status", "code": 404, "reason": "NotFound",
                                    "message": "the server could not find the requested resource"})
        if url.path == "/apis/batch/v1beta1/cronjobs":
            if query.get("watch", ["0"])[0] in ("1", "true"):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Connection", "close")
                self.end_headers()
                time.sleep(float(query.get("timeoutSeconds", ["1"])[0]))
                return
            return self.reply(200, {"kind": "CronJobList", "apiVersion": "batch/v1beta1",
                                    "metadata": {"resourceVersion": str(state["rv"])},
                                    "items": [{"metadata": {"name": "nightly", "namespace": "default"}}]})
        if url.path.startswith("/apis/apps/v1/deployments"):
            return self.reply(403, {"kind": "Status", "code": 403, "reason": "Forbidden",
                                    "message": "deployments.apps is forbidden: User cannot list resource"})
        if url.path == "/api/v1/secrets":
            return self.reply(200, {"kind": "SecretList", "apiVersion": "v1",
                                    "metadata": {"resourceVersion": str(state["rv"])},
                                    "items": [{"metadata": {"name": "db", "namespace": "default",
                                                            "resourceVersion": str(state["rv"])},
                                               "data": {"password": "ZmFrZS1zZWNyZXQtZGF0YS00NzEx"}}]})
        if url.path == "/api/v1/configmaps":
            if query.get("watch", ["0"])[0] in ("1", "true"):
                line = json.dumps({"type": "ADDED", "object": {
                    "kind": "ConfigMap", "apiVersion": "v1",
                    "metadata": {"name": "settings", "namespace": "default", "resourceVersion": str(state["rv"] + 1)},
                    "data": {"token": "fake-configmap-data-4711"}}}) + "\n"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(line.encode())
                self.wfile.flush()
                time.sleep(2)
                return
            return self.reply(200, {"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
                                    "metadata": {"resourceVersion": str(state["rv"])}, "items": []})
        if url.path != "/api/v1/pods":
            return self.reply(404, {"kind": "Status", "code": 404})
        if query.get("watch", ["0"])[0] in ("1", "true"):
            return self.watch(query)
        limit = int(query.get("limit", ["500"])[0])
        offset = int(query.get("continue", ["0"])[0])
        with lock:
            if offset and state["expire"]:
                state["expire"] = False
                return self.reply(410, {"kind": "Status", "code": 410, "reason": "Expired",
                                        "message": "The provided continue parameter is too old"})
            names = sorted(state["pods"])
            items = [dict((k, v) for k, v in state["pods"][n].items() if k not in ("kind", "apiVersion"))
                     for n in names[offset:offset + limit]]
            more = offset + limit < len(names)
            body = {"kind": "PodList", "apiVersion": "v1",
                    "metadata": {"resourceVersion": str(state["rv"]), "continue": str(offset + limit) if more else ""},
                    "items": items}
        self.reply(200, body)

    def watch(self, query):
        since = int(query.get("resourceVersion", ["0"])[0])
        bookmarks = query.get("allowWatchBookmarks", ["false"])[0] == "true"
        deadline = time.time() + float(query.get("timeoutSeconds", ["30"])[0])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        with lock:
            state["watches"] += 1
            generation = state["generation"]
            too_old = since < state["compacted"]
        try:
            if too_old:
                self.send_line({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                                            "code": 410, "reason": "Expired",
                                                            "message": "too old resource version: %d" % since}})
                return
            last_bookmark = time.time()
            while time.time() < deadline:
                with lock:
                    pending = [e for e in state["events"] if e[0] > since]
                    if not pending and state["generation"] == generation:
                        lock.wait(timeout=0.1)
                    if state["generation"] != generation:
                        return
                    pending = [e for e in state["events"] if e[0] > since]
                    current = state["rv"]
                for rv, kind, obj in pending:
                    self.send_line({"type": kind, "object": obj})
                    since = rv
                if bookmarks and state["bookmarks"] and time.time() - last_bookmark > 0.3:
                    self.send_line({"type": "BOOKMARK", "object": {"kind": "Pod", "apiVersion": "v1",
                                                                    "metadata": {"resourceVersion": str(max(current, since))}}})
                    since = max(current, since)
                    last_bookmark = time.time()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            self.close_connection = True

    def send_line(self, event):
        self.wfile.write(json.dumps(event).encode() + b"\n")
        self.wfile.flush()


def main():
    for index in range(7):
        change("ADDED", "seed-%d" % index)
    # The default backlog of 5 refuses or delays connections when a test opens many at once.
    http.server.ThreadingHTTPServer.request_queue_size = 128
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
