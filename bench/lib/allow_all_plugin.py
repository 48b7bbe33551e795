#!/usr/bin/env python3
"""A do-nothing Docker authorization plugin: answers every AuthZReq/AuthZRes with Allow.

The floor for bench/authz.sh: what any plugin costs at least (HTTP over a unix socket, JSON in and
out). Usage: allow_all_plugin.py SOCKET_PATH
"""
import json
import os
import socketserver
import sys
from http.server import BaseHTTPRequestHandler

ACTIVATE = json.dumps({"Implements": ["authz"]}).encode()
ALLOW = json.dumps({"Allow": True}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as dockerd's plugin client uses it

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path == "/Plugin.Activate":
            reply = ACTIVATE
        else:
            # Decode what a real plugin must at least read, so the floor is not an empty loop.
            json.loads(body or b"{}")
            reply = ALLOW
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.docker.plugins.v1.1+json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    with Server(path, Handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
