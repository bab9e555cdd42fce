"""The keyspace rows of scripts/bench: the default check's sample and `redcheck keys` on
1,000,000 keys loaded with DEBUG POPULATE, side by side with an empty database and with
`redis-cli --bigkeys` on the same instance.

Run alone with `scripts/bench --only keyspace` (it rewrites only its own section of
docs/benchmarks.md), or as part of the whole `scripts/bench`.
"""

import json
import os
import socket
import statistics
import subprocess
import tempfile
import time

BEGIN = "<!-- keyspace: written by scripts/bench_keyspace.py -->"
END = "<!-- /keyspace -->"

# A generated mix with known shares: (DEBUG POPULATE prefix, keys).
MIX = [("product", 600_000), ("sess", 250_000), ("jobs", 100_000), ("lock", 50_000)]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wall(cmd):
    start = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return time.perf_counter() - start, r


def _server(tmp, name):
    """A redis-server with DEBUG enabled (Redis 7 refuses DEBUG unless told), no persistence."""
    port = _free_port()
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", d, "--enable-debug-command", "yes", "--maxmemory", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG":
            return proc, port
        time.sleep(0.05)
    proc.kill()
    raise OSError(f"redis-server ({name}) did not start")


def _cli(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True, check=True).stdout


def _server_cpu(port):
    info = _cli(port, "info", "cpu")
    return sum(float(l.split(":")[1]) for l in info.splitlines() if l.startswith(("used_cpu_sys:", "used_cpu_user:")))


def measure(exe, tmp, log, runs=20, rounds=3):
    """Returns (rows, commands, notes, missed): table rows as 6-tuples of text."""
    procs = []
    try:
        empty_proc, empty = _server(tmp, "keyspace-empty")
        procs.append(empty_proc)
        full_proc, full = _server(tmp, "keyspace-full")
        procs.append(full_proc)
        log("keyspace: DEBUG POPULATE 1,000,000 keys …")
        for prefix, n in MIX:
            _cli(full, "debug", "populate", str(n), prefix)
        total = int(_cli(full, "dbsize").strip())
        if total != sum(n for _, n in MIX):
            raise OSError(f"DEBUG POPULATE left {total} keys")

        check_empty = [exe, "--format", "json", f"redis://127.0.0.1:{empty}"]
        check_full = [exe, "--format", "json", f"redis://127.0.0.1:{full}"]
        keys_cmd = [exe, "keys", "--format", "json", f"redis://127.0.0.1:{full}"]
        bigkeys = ["redis-cli", "-p", str(full), "--bigkeys"]

        log(f"keyspace: default check, empty vs 1M keys, {runs} alternating runs …")
        t_empty, t_full = [], []
        for i in range(runs + 3):
            pair = [(check_empty, t_empty), (check_full, t_full)]
            for cmd, into in (pair if i % 2 == 0 else pair[::-1]):
                took, r = _wall(cmd)
                if r.returncode not in (0, 1):
                    raise OSError(f"{' '.join(cmd)} exited {r.returncode}")
                if i >= 3:
                    into.append(took)
        sample = next(c for c in json.loads(r.stdout.splitlines()[0])["checks"] if c["id"] == "workloads")
        m_empty, m_full = statistics.median(t_empty), statistics.median(t_full)
        extra_ms = (m_full - m_empty) * 1000

        log(f"keyspace: redcheck keys vs redis-cli --bigkeys, {rounds} alternating rounds …")
        t_keys, t_big, cpu_share, report = [], [], [], None
        for i in range(rounds):
            order = [("keys", keys_cmd), ("big", bigkeys)]
            for name, cmd in (order if i % 2 == 0 else order[::-1]):
                before = _server_cpu(full)
                took, r = _wall(cmd)
                if r.returncode not in (0, 1):
                    raise OSError(f"{' '.join(cmd)} exited {r.returncode}")
                if name == "keys":
                    t_keys.append(took)
                    cpu_share.append((_server_cpu(full) - before) / took)
                    report = json.loads(r.stdout)
                else:
                    t_big.append(took)
        m_keys, m_big = statistics.median(t_keys), statistics.median(t_big)
        db = report["databases"][0]
        errors = []
        for prefix, n in MIX:
            ns = next((x for x in db["namespaces"] if x["pattern"] == f"{prefix}:*"), None)
            est = ns["estimated"] if ns else 0
            errors.append((prefix, n, est, (est - n) * 100.0 / n))
        worst = max(abs(e[3]) for e in errors)
    finally:
        for p in procs:
            p.kill()
            p.wait()

    missed = []
    met = lambda ok: "yes" if ok else "**no**"  # noqa: E731
    if extra_ms > 50:
        missed.append("default check on 1M keys")
    if m_keys / m_big > 0.1:
        missed.append("redcheck keys vs --bigkeys")
    if worst > 10:
        missed.append("namespace estimates")
    cpu = statistics.median(cpu_share) * 100
    if cpu > 5:
        missed.append("server CPU while redcheck keys runs")
    rows = [
        ("Default check, 1,000,000 keys vs an empty db",
         f"{m_full * 1000:.2f} ms ({sample['data']['sampled']:,} keys sampled in "
         f"{sample.get('duration_ms') or 0:.1f} ms)",
         f"{m_empty * 1000:.2f} ms (empty db)", f"+{extra_ms:.1f} ms", "≤ +50 ms", met(extra_ms <= 50)),
        ("`redcheck keys` on 1,000,000 keys", f"{m_keys * 1000:.0f} ms ({db['sampled']:,} keys, "
         f"{db['scans']} SCANs, paced)", f"{m_big * 1000:.0f} ms (`redis-cli --bigkeys`)",
         f"{m_keys / m_big:.3f}×", "≤ 0.1×", met(m_keys / m_big <= 0.1)),
        ("… server CPU while `redcheck keys` runs", f"{cpu:.1f}% of its wall time "
         f"(round trips {db['busy_percent']:.1f}%)", "—", "—", "≤ 5%", met(cpu <= 5)),
        ("Namespace estimates, shares 5–60%",
         ", ".join(f"{p}:* {est:,} ({err:+.1f}%)" for p, _, est, err in errors),
         ", ".join(f"{n:,}" for _, n, _, _ in errors) + " (truth)", f"worst {worst:.1f}%", "±10%", met(worst <= 10)),
    ]
    commands = [
        f"redis-server --enable-debug-command yes …; DEBUG POPULATE {', '.join(f'{n} {p}' for p, n in MIX)}",
        " ".join(check_full) + "    # and the same against an empty redis-server",
        " ".join(keys_cmd),
        " ".join(bigkeys),
    ]
    notes = [
        "Keyspace rows: one redis-server holds 1,000,000 strings from DEBUG POPULATE in a known mix (60% product, "
        "25% sess, 10% jobs, 5% lock), another none; medians of alternating runs. The default check samples "
        "the names of 1,000 keys (one SCAN) and reads TYPE + PTTL of 8 of them (`--sample-read`) in the round "
        "trip it makes for CLIENT LIST anyway. `redcheck keys` samples and reads 15,000 keys, MEMORY "
        "USAGE on every fifth and pauses 14× each batch's round trips between batches; `redis-cli --bigkeys` "
        "scans every key. Server CPU is INFO's used_cpu_user + used_cpu_sys over the run.",
    ]
    return rows, commands, notes, missed


def section(rows, commands, notes, started):
    lines = [BEGIN, "", "## Keyspace sample", "",
             f"Measured {started:%Y-%m-%d %H:%M} UTC by `scripts/bench` (`--only keyspace` reruns just these rows).", "",
             "| Measure | redcheck | Reference | Ratio | Target | Met |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += ["", "```"] + commands + ["```", ""] + [f"- {n}" for n in notes] + ["", END]
    return "\n".join(lines)


def write_section(path, text):
    """Replaces this module's section of `path`, or appends it."""
    old = open(path).read() if os.path.exists(path) else ""
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + text + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    with open(path, "w") as f:
        f.write(new)


def run(exe, out, log, started):
    """Measures, writes the section into `out`; returns the targets missed."""
    tmp = tempfile.mkdtemp(prefix="redcheck-bench-keyspace-")
    try:
        rows, commands, notes, missed = measure(exe, tmp, log)
    finally:
        subprocess.run(["rm", "-rf", tmp])
    rel = os.path.relpath(exe, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    commands = [c.replace(exe, rel) for c in commands]
    write_section(out, section(rows, commands, notes, started))
    for r in rows:
        log(f"  {r[0]}: {r[1]} vs {r[2]} → {r[3]} (target {r[4]}, met {r[5]})")
    return missed
