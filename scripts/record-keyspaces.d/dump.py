"""Prints every key of the server on 127.0.0.1:PORT as fixture JSON: name, TYPE, PTTL.

usage: dump.py PORT LIBRARY VERSION
"""
import json
import sys

import redis

port, library, version = int(sys.argv[1]), sys.argv[2], sys.argv[3]
r = redis.Redis(port=port)
keys = []
for name in sorted(r.scan_iter(count=1000)):
    keys.append({
        "key": name.decode("utf-8", "backslashreplace"),
        "type": r.type(name).decode(),
        "ttl_ms": r.pttl(name),
    })
print(json.dumps({
    "library": library,
    "version": version,
    "recorded_by": "scripts/record-keyspaces",
    "keys": keys,
}, indent=1))
