"""The image's health check (deploy/Containerfile HEALTHCHECK, deploy/compose.yaml).

`healthcheck.py web`: GET $HEALTHCHECK_PATH (default /healthz) on 127.0.0.1:$PORT with a Host the
site accepts (the first of ALLOWED_HOSTS) and X-Forwarded-Proto https (so SECURE_SSL_REDIRECT does
not answer 301); healthy on 200. `healthcheck.py worker`: the task queue's Redis answers PING.
Standard library only, so it costs no Django start-up.
"""

import http.client
import os
import socket
import sys
from urllib.parse import urlparse


def web() -> bool:
    hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    host = next((h for h in hosts if h and h != "*"), "127.0.0.1")
    connection = http.client.HTTPConnection(
        "127.0.0.1", int(os.environ.get("PORT", "8000")), timeout=4
    )
    connection.request(
        "GET",
        os.environ.get("HEALTHCHECK_PATH", "/healthz"),
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    return connection.getresponse().status == 200


def worker() -> bool:
    url = urlparse(os.environ.get("TASKS_URL", ""))
    if url.scheme not in ("redis", "rediss"):
        return True  # a SQLite queue in DATA_DIR: nothing to reach
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=4) as s:
        if url.password:
            s.sendall(f"AUTH {url.password}\r\n".encode())
            s.recv(64)
        s.sendall(b"PING\r\n")
        return s.recv(64).startswith(b"+PONG")


if __name__ == "__main__":
    try:
        healthy = {"web": web, "worker": worker}[sys.argv[1] if len(sys.argv) > 1 else "web"]()
    except (OSError, http.client.HTTPException) as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        healthy = False
    sys.exit(0 if healthy else 1)
