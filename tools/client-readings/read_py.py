"""Reads every URL of a JSON array on stdin with redis-py's own parser and prints readings.

`ConnectionPool.from_url` parses the URL and `make_connection()` builds the connection class
with the URL's keyword arguments: that is where an unknown query parameter raises TypeError
in real use (on the first command). Nothing connects: redis-py opens the socket lazily.
What is sent follows `AbstractConnection.on_connect_check_health` (connection.py): AUTH only
when the user name or password is truthy, so an empty password is not sent.
"""

import json
import sys
from urllib.parse import parse_qs, urlparse

import redis
from redis.connection import SSLConnection, UnixDomainSocketConnection


def read(url):
    try:
        pool = redis.ConnectionPool.from_url(url)
        conn = pool.make_connection()
    except Exception as e:  # noqa: BLE001 - the library's own error is the reading
        return {"rejects": f"{type(e).__name__}: {e}"}
    unix = isinstance(conn, UnixDomainSocketConnection)
    protocol = conn.protocol
    try:
        protocol = int(protocol) if protocol is not None else 2
    except (TypeError, ValueError):
        pass
    fragment = urlparse(url).fragment
    return {
        "rejects": None,
        "tls": isinstance(conn, SSLConnection),
        "host": None if unix else conn.host,
        "port": None if unix else int(conn.port),
        "socket": conn.path if unix else None,
        "user": conn.username or None,
        "password": conn.password or None,
        "db": int(conn.db),
        "protocol": protocol,
        # Every query parameter reaches the connection class; none is dropped. The fragment is.
        "ignored": [f"#{fragment}"] if fragment else [],
        "misread": [],
    }


def main():
    urls = json.load(sys.stdin)
    print(json.dumps([read(u) for u in urls]))


if __name__ == "__main__":
    main()
