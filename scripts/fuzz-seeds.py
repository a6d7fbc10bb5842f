#!/usr/bin/env python3
"""Captures the raw requests real HTTP clients send to a notify URL, as seeds
for the http-parser fuzz target (Tests/FuzzCorpus/http-parser/seed-*).

Clients: curl (form, chunked, Expect: 100-continue, HTTP/1.0), wrk (the
benchmark's script, several keep-alive requests), nginx proxy_pass (the
README's reverse-proxy setup, HTTP/1.0 and HTTP/1.1 upstream), Python
urllib and, when installed, Python requests. A capture server answers each
request with `success` and writes down the bytes it received.

Usage: scripts/fuzz-seeds.py  (needs curl, wrk and nginx on PATH)
"""
import json
import pathlib
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "FuzzCorpus" / "http-parser"
BODY = json.loads((ROOT / "Tests" / "Fixtures" / "notifications.jsonl").read_text().splitlines()[0])["body"].encode()


class CaptureServer:
    """Accepts connections and keeps every byte received on each, answering
    `success` to each request it sees (by counting heads)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.captures = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            connection, _ = self.listener.accept()
            threading.Thread(target=self.handle, args=(connection,), daemon=True).start()

    def handle(self, connection):
        received = b""
        answered = 0
        connection.settimeout(1.0)
        try:
            while True:
                data = connection.recv(65536)
                if not data:
                    break
                received += data
                if b"Expect: 100-continue" in received and answered == 0 and received.endswith(b"\r\n\r\n"):
                    connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                while complete_requests(received) > answered:
                    answered += 1
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\nsuccess")
        except OSError:
            pass
        finally:
            connection.close()
            if received:
                self.captures.append(received)

    def take(self, name, settle=1.5):
        time.sleep(settle)
        captures, self.captures = self.captures, []
        for index, capture in enumerate(captures):
            suffix = "" if len(captures) == 1 else f"-{index + 1}"
            (OUT / f"seed-{name}{suffix}").write_bytes(capture)
            print(f"seed-{name}{suffix}: {len(capture)} bytes")


def complete_requests(data):
    """How many whole requests `data` holds (Content-Length or chunked)."""
    count = 0
    while True:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return count
        head = data[:end].lower()
        rest = data[end + 4:]
        if b"transfer-encoding: chunked" in head:
            terminator = rest.find(b"\r\n0\r\n\r\n")
            if not rest.startswith(b"0\r\n\r\n") and terminator < 0:
                return count
            cut = 5 if rest.startswith(b"0\r\n\r\n") else terminator + 7
            data = rest[cut:]
        else:
            length = 0
            for line in head.split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if len(rest) < length:
                return count
            data = rest[length:]
        count += 1


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    server = CaptureServer()
    url = f"http://127.0.0.1:{server.port}/notify"
    form = ["-H", "Content-Type: application/x-www-form-urlencoded; charset=utf-8"]

    subprocess.run(["curl", "-s", "-o", "/dev/null", *form, "--data-binary", BODY, url], check=True)
    server.take("curl-post")
    subprocess.run(["curl", "-s", "-o", "/dev/null", *form, "-H", "Transfer-Encoding: chunked", "--data-binary", BODY, url], check=True)
    server.take("curl-chunked")
    subprocess.run(["curl", "-s", "-o", "/dev/null", *form, "-H", "Expect: 100-continue", "--data-binary", BODY, url], check=True)
    server.take("curl-expect-continue")
    subprocess.run(["curl", "-s", "-o", "/dev/null", "-0", *form, "--data-binary", BODY, url], check=True)
    server.take("curl-http10")
    subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{server.port}/readyz"], check=True)
    server.take("curl-get")

    with tempfile.TemporaryDirectory() as folder:
        script = pathlib.Path(folder) / "post.lua"
        script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
                          f'wrk.body = "{BODY.decode()}"\n')
        subprocess.run(["wrk", "-t1", "-c1", "-d1s", "-s", str(script), url], check=True, capture_output=True, timeout=30)
    captured = server.captures
    server.captures = [capture[: 3 * (len(capture) // max(1, complete_requests(capture)))] for capture in captured[:1]]
    server.take("wrk-keepalive", settle=0)

    request = urllib.request.Request(url, data=BODY, headers={"Content-Type": "application/x-www-form-urlencoded"})
    urllib.request.urlopen(request, timeout=5).read()
    server.take("python-urllib")
    try:
        import requests  # noqa: PLC0415 (optional)
        requests.post(url, data=dict(pair.split("=", 1) for pair in BODY.decode().split("&")), timeout=5)
        server.take("python-requests")
    except ImportError:
        print("python requests is not installed: skipped (apt install python3-requests)")

    if shutil.which("nginx"):
        capture_nginx(server, form)
    else:
        print("nginx is not installed: skipped")


def capture_nginx(server, form):
    with tempfile.TemporaryDirectory() as prefix:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        listener.close()
        (pathlib.Path(prefix) / "nginx.conf").write_text(f"""
daemon off; pid {prefix}/nginx.pid; error_log {prefix}/error.log;
events {{}}
http {{
  access_log off;
  client_body_temp_path {prefix}; proxy_temp_path {prefix}; fastcgi_temp_path {prefix};
  uwsgi_temp_path {prefix}; scgi_temp_path {prefix};
  upstream notifyd {{ server 127.0.0.1:{server.port}; keepalive 8; }}
  server {{
    listen 127.0.0.1:{port};
    location /notify {{ proxy_pass http://127.0.0.1:{server.port}; }}
    location /notify11 {{
      proxy_pass http://notifyd/notify; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_request_buffering off;
    }}
  }}
}}
""")
        nginx = subprocess.Popen(["nginx", "-p", prefix, "-c", f"{prefix}/nginx.conf"])
        try:
            time.sleep(1)
            for path, name in (("notify", "nginx-proxy-pass"), ("notify11", "nginx-proxy-pass-http11")):
                subprocess.run(["curl", "-s", "-o", "/dev/null", *form, "--data-binary", BODY,
                                f"http://127.0.0.1:{port}/{path}"], check=True)
                server.take(name)
            subprocess.run(["curl", "-s", "-o", "/dev/null", *form, "-H", "Transfer-Encoding: chunked",
                            "--data-binary", BODY, f"http://127.0.0.1:{port}/notify11"], check=True)
            server.take("nginx-proxy-pass-chunked")
        finally:
            nginx.terminate()
            nginx.wait()


if __name__ == "__main__":
    main()
