"""Round trips over a network, fleets, and the server's cost of one check (issue #17).

Loopback hides round trips. Every command here runs through tools/latency-proxy, which
delays each chunk by a one-way DELAY_MS (20 ms RTT by default): a command's wall time
divided by the RTT is the number of round trips on its critical path (the proxy cannot delay
the TCP handshake, so each connection's connect round trip is not in the count). With
--baseline BINARY the same rows are measured for an earlier build, side by side.

Run through `scripts/bench --only network [--baseline BIN]`. Python 3 standard library only.
"""

import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time

import bench_keyspace

BEGIN = "<!-- network: written by scripts/bench_network.py -->"
END = "<!-- /network -->"
HERE = os.path.dirname(os.path.abspath(__file__))
DELAY_MS = 10
FLEET = 200
FLEET_SERVERS = 20
FLEET_RUNS = 7
RUNS = 3


def build_proxy(log):
    """tools/latency-proxy (mio and libc from crates.io), built into target/latency-proxy."""
    root = os.path.dirname(HERE)
    log("cargo build --release tools/latency-proxy …")
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet", "--manifest-path",
                    os.path.join(root, "tools", "latency-proxy", "Cargo.toml"),
                    "--target-dir", os.path.join(root, "target", "latency-proxy")], check=True)
    return os.path.join(root, "target", "latency-proxy", "release", "latency-proxy")


PROXY = None


NOTES = [
    "RTT figures are wall time (spawn to exit, median) divided by 20 ms, so they include process start "
    "and the proxy's own time per chunk: the `redis-cli ping` row, one round trip, shows that floor "
    "(about 0.3 RTT).",
    "The proxy cannot delay the TCP handshake (the kernel answers the SYN), so over a real network "
    "add one round trip per connection on the critical path: one for `check` (the pub/sub "
    "subscriber's connect is off it).",
    "`check`'s critical path after: 1 round trip for HELLO/AUTH, ACL WHOAMI (and SELECT), INFO, the "
    "CONFIG GET, DBSIZE and the first SCAN in one flight; the 10 PING samples; 1 for the keyspace "
    "sample's TYPE/PTTL reads, CLIENT LIST and PUBLISH together = 12. Over a slow path (a login of "
    "5 ms or more) the subscriber connects on its own thread during the samples, and sends its login, "
    "CLIENT ID and SUBSCRIBE in one flight from the first PONG on; over a fast one it opens after the "
    "samples, which its TLS handshake would disturb. The measured database is empty; on one with keys "
    "the first SCAN usually brings the 1,000 names, and a sparser table costs a SCAN round trip more.",
    "`--samples 1` over TLS: handshake 1 + login with INFO 1 + PING 1 + the sample's reads, CLIENT LIST "
    "and PUBLISH 1 = 4. Over a slow TLS path (a handshake of 5 ms or more) the subscriber connects and "
    "shakes hands while the first connection logs in; with a single sample it logs in as soon as that "
    "login succeeded, as nothing else would overlap its login. With more samples it waits for the first "
    "PONG: logging in earlier lets a hostile server fill both connections at once "
    "(tests/cases/hostile/replies.rs: 56 MiB for four targets against 39) and sends a second login to "
    "a server that fails PING.",
    "`rediss://` at a plaintext port: a plaintext PING on a second connection starts after twice the "
    "TCP connect time of silence (at least 50 ms, at most the old fixed 1 s) and races the TLS attempt. "
    "Through the proxy the connect time reads as ~0, so the 50 ms floor applies; over a real 20 ms "
    "path it is 40 ms + connect + PING ≈ 4 RTT.",
    "Fleets: at most 256 targets run at once (`src/probe/pool.rs`), each on a blocking thread, plus one "
    "pub/sub subscriber thread per target while it samples; each target is judged (and its findings freed) on "
    "its own worker as soon as it is done. The proxy runs one event loop per CPU (epoll, a timerfd): its first "
    "version, four threads per connection, used 540 ms of CPU under 200 targets, more than redcheck's own 410 ms, "
    "while a real network's delay costs the client machine nothing; a single loop forwarded each burst of 200 "
    "replies on one CPU (645 ms for the fleet, against 579 ms with a loop per CPU and 747 ms with the first "
    "version, alternating runs). Its CPU is given apart for that reason.",
    "Both fleet rows are bound by CPU, not round trips: redcheck, the servers and the proxies share this "
    "machine's 2 CPUs, and 200 checks started together stay in step, so every round trip is a burst of 200 "
    "replies to wake, read and answer (a PING sample reads about 28 ms instead of 20 in the one-server fleet). "
    "40 targets take about 1.1× one target.",
    "One server for 200 targets is not a fleet: every check's CLIENT LIST lists the other checks' ~400 "
    "connections (~100 kB), which that server builds on its one thread 200 times at about the same moment "
    "(~0.7 ms each: the CLIENT LIST figure in the row) and redcheck parses 200 times. The second fleet row "
    "spreads the same 200 targets over 20 servers, 10 each, each behind its own proxy, as a real fleet would "
    "be. Before the proxy's listen backlog was raised to 4,096, 200 checks (each with its subscriber "
    "connecting at once) overflowed std's 128 and the retransmitted handshakes set the figure; a server whose "
    "`tcp-backlog` (or `somaxconn`) is that small would see the same from a large fleet.",
    "Server cost: the default check reads the names of 1,000 keys with one SCAN and TYPE + PTTL of "
    "8 of them (one per namespace in turn, `--sample-read`): 16 commands instead of 2,000. SCAN COUNT "
    "1000 on a million keys is most of the server CPU (about 1 ms); `SCAN … TYPE t` costs as much per "
    "call, so reading types through six typed SCANs would cost more than 1,000 TYPEs. One CONFIG GET "
    "names all four settings (Redis 7; one per name before). The `--sample-keys 0` row shows a check "
    "without the sample.",
]


def _proxy(upstream_port):
    proc = subprocess.Popen([PROXY, "--delay-ms", str(DELAY_MS),
                             "--upstream", f"127.0.0.1:{upstream_port}"],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    port = int(line.strip().rsplit(":", 1)[1])
    return proc, port


def _wall(cmd, runs=RUNS):
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        took.append(time.perf_counter() - start)
    return statistics.median(took)


def _threads_and_rss(cmd):
    """Wall time, peak thread count (sampled from /proc), peak RSS and CPU (GNU time) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M %U %S"] + cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    peak = 0

    def sample():
        nonlocal peak
        while proc.poll() is None:
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/status") as f:
                        st = f.read()
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        argv0 = f.read().split(b"\0")[0]
                except OSError:
                    continue
                if argv0 == cmd[0].encode() and f"PPid:\t{proc.pid}\n" in st:
                    peak = max(peak, int(re.search(r"Threads:\s+(\d+)", st).group(1)))
            time.sleep(0.005)

    t = threading.Thread(target=sample)
    t.start()
    _, err = proc.communicate()
    took = time.perf_counter() - start
    t.join()
    rss_kb, user, sys_ = err.strip().splitlines()[-1].split()
    return took, peak, int(rss_kb), float(user) + float(sys_)


def _proc_cpu(pid):
    """User + system CPU seconds of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _command_usec(port, name):
    """Microseconds the server spent in one command since the last CONFIG RESETSTAT."""
    m = re.search(rf"cmdstat_{re.escape(name)}:calls=\d+,usec=(\d+)", bench_keyspace._cli(port, "info", "commandstats"))
    return int(m.group(1)) if m else 0


def _commandstats(port):
    calls, usec = 0, 0
    for line in bench_keyspace._cli(port, "info", "commandstats").splitlines():
        m = re.match(r"cmdstat_([^:]+):calls=(\d+),usec=(\d+)", line)
        if m:
            calls += int(m.group(2))
            usec += int(m.group(3))
    return calls, usec


def measure(exes, tmp, ca, tls_port, log):
    rtt = 2 * DELAY_MS / 1000
    procs = []
    rows, commands, notes = [], [], []
    try:
        srv, port = bench_keyspace._server(tmp, "network")
        procs.append(srv)
        proxy, pport = _proxy(port)
        procs.append(proxy)
        tproxy, tport = _proxy(tls_port)
        procs.append(tproxy)
        url = f"redis://127.0.0.1:{pport}"
        turl = f"rediss://localhost:{tport}"
        cases = [
            ("`check` (default)", ["--format", "json", url], 13),
            ("`check --samples 1`, TLS", ["--format", "json", "--samples", "1", "--cacert", ca, turl], 5),
            ("`tls`", ["tls", "--format", "json", "--cacert", ca, turl], None),
            ("`memory`", ["memory", "--format", "json", url], None),
            ("`latency --count 1`", ["latency", "--format", "json", "--count", "1", url], None),
            ("`keys`", ["keys", "--format", "json", url], None),
            ("`wait`, first attempt (server up)", ["wait", "--format", "json", url], 13),
        ]
        # The floor: one PING by redis-cli through the same proxy (process start, the proxy's own
        # time per chunk); a tool needing N round trips cannot take less than about N + this - 1.
        floor = _wall(["redis-cli", "-p", str(pport), "ping"])
        rows.append(["`redis-cli ping` (1 round trip: the floor)"] + [f"{floor * 1000:.0f} ms = {floor / rtt:.1f} RTT"]
                    * len(exes) + ["—"])
        commands.append(f"redis-cli -p {pport} ping")
        for name, args, goal in cases:
            figs = []
            for label, exe in exes:
                log(f"network: {label} {name} …")
                w = _wall([exe] + args)
                figs.append(f"{w * 1000:.0f} ms = **{w / rtt:.1f} RTT**")
                commands.append(" ".join([exe] + args))
            rows.append([name] + figs + [f"≤ {goal} RTT" if goal else "—"])
        # The mismatch probe: rediss:// at a plaintext port, on loopback and through the proxy.
        for where, p in (("loopback", port), ("20 ms RTT", pport)):
            figs = []
            for label, exe in exes:
                w = _wall([exe, "--format", "json", f"rediss://127.0.0.1:{p}"])
                figs.append(f"{w * 1000:.0f} ms" + (f" = {w / rtt:.1f} RTT" if p == pport else ""))
                commands.append(f"{exe} --format json rediss://127.0.0.1:{p}")
            rows.append([f"`rediss://` at a plaintext port, {where}"] + figs
                        + ["≤ 0.25 s" if p == port else "≈ 4 RTT"])
        # Fleets: 200 targets through the proxy vs one, all on one server, then spread over
        # FLEET_SERVERS servers (each behind its own proxy) as a real fleet would be.
        fleet = [(port, proxy, url)]
        for i in range(FLEET_SERVERS - 1):
            srv_i, port_i = bench_keyspace._server(tmp, f"network-fleet-{i}")
            procs.append(srv_i)
            proxy_i, pport_i = _proxy(port_i)
            procs.append(proxy_i)
            fleet.append((port_i, proxy_i, f"redis://127.0.0.1:{pport_i}"))
        for servers in (fleet[:1], fleet):
            figs = []
            urls = [servers[i % len(servers)][2] for i in range(FLEET)]
            log(f"network: {FLEET} targets on {len(servers)} server(s) …")
            # Builds alternate run by run: other work on the machine moves these figures more
            # than any other row's, and should weigh on every build alike.
            ones = {label: _wall([exe, "--format", "json", url]) for label, exe in exes}
            runs = {label: [] for label, _ in exes}
            for _ in range(FLEET_RUNS):
                for label, exe in exes:
                    for p, _, _ in servers:
                        bench_keyspace._cli(p, "config", "resetstat")
                    server0 = sum(bench_keyspace._server_cpu(p) for p, _, _ in servers)
                    proxy0 = sum(_proc_cpu(x.pid) for _, x, _ in servers)
                    took, threads, rss, cpu = _threads_and_rss([exe, "--format", "json"] + urls)
                    runs[label].append((took, threads, rss, cpu,
                                        sum(bench_keyspace._server_cpu(p) for p, _, _ in servers) - server0,
                                        sum(_proc_cpu(x.pid) for _, x, _ in servers) - proxy0,
                                        sum(_command_usec(p, "client|list") for p, _, _ in servers) / 1e6))
            for label, exe in exes:
                one, r = ones[label], runs[label]
                # The median run by wall time; the most threads and memory of any run.
                took, _, _, cpu, server_cpu, proxy_cpu, client_list = sorted(r)[len(r) // 2]
                threads, rss = max(x[1] for x in r), max(x[2] for x in r)
                figs.append(f"{took * 1000:.0f} ms vs {one * 1000:.0f} ms = **{took / one:.2f}×**; peak {threads} "
                            f"threads, peak RSS {rss / 1000:.1f} MB; CPU: redcheck {cpu * 1000:.0f} ms, "
                            f"redis-server {server_cpu * 1000:.0f} ms (CLIENT LIST {client_list * 1000:.0f} ms), "
                            f"proxy {proxy_cpu * 1000:.0f} ms")
                commands.append(f"/usr/bin/time -f '%M %U %S' {exe} --format json {url} … ({FLEET} times)"
                                if len(servers) == 1 else
                                f"/usr/bin/time -f '%M %U %S' {exe} --format json URL1 … URL{len(servers)} "
                                f"… ({FLEET} targets, {FLEET // len(servers)} per server)")
            where = "one server" if len(servers) == 1 else f"{len(servers)} servers, {FLEET // len(servers)} each"
            rows.append([f"{FLEET} targets at 20 ms RTT vs 1 target ({where})"] + figs
                        + ["≤ 2×, bounded threads, ≤ 64 MB"])
        # Server cost of one default check on 1M keys.
        full, fport = bench_keyspace._server(tmp, "network-1m")
        procs.append(full)
        log("network: DEBUG POPULATE 1,000,000 keys …")
        for prefix, n in bench_keyspace.MIX:
            bench_keyspace._cli(fport, "debug", "populate", str(n), prefix)
        for extra, what in (([], "default check"), (["--sample-keys", "0"], "check without the keyspace sample")):
            figs = []
            for label, exe in exes:
                calls, usec = [], []
                for _ in range(5):
                    bench_keyspace._cli(fport, "config", "resetstat")
                    subprocess.run([exe, "--format", "json"] + extra + [f"redis://127.0.0.1:{fport}"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    c, u = _commandstats(fport)
                    calls.append(c - 1)  # CONFIG RESETSTAT counts itself after the reset
                    usec.append(u)
                figs.append(f"{statistics.median(calls):.0f} commands, {statistics.median(usec) / 1000:.2f} ms "
                            "of server CPU")
                commands.append(f"redis-cli config resetstat; {' '.join([exe, '--format', 'json'] + extra)} "
                                f"redis://127.0.0.1:{fport}; redis-cli info commandstats")
            rows.append([f"server cost of one {what}, 1M keys (median of 5)"] + figs + ["≤ 40, ≤ 2 ms"])
    finally:
        for p in procs:
            p.kill()
            p.wait()
    notes += NOTES
    return rows, commands, notes


def run(exe, out, log, started, tls_port, ca, baseline=None, load=None):
    global PROXY
    PROXY = build_proxy(log)
    exes = [("after", exe)] + ([("before", baseline)] if baseline else [])
    tmp = tempfile.mkdtemp(prefix="redcheck-bench-network-")
    try:
        rows, commands, notes = measure(exes, tmp, ca, tls_port, log)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    head = "| Measure | " + " | ".join(label for label, _ in exes) + " | Goal |"
    lines = [BEGIN, "", "## Over a network: round trips, the mismatch probe, fleets", "",
             f"Measured {started:%Y-%m-%d %H:%M} UTC by `scripts/bench --only network"
             + (" --baseline BIN" if baseline else "") + f"`, through `tools/latency-proxy --delay-ms {DELAY_MS}` "
             "(20 ms RTT); medians of " + str(RUNS) + f" runs ({FLEET_RUNS} for the fleets, the builds alternating)." + (f" Load from other work: {load}." if load else ""), "",
             head, "|" + "---|" * (len(exes) + 2)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    rel = lambda c: (c.replace(exe, "target/release/redcheck").replace(baseline or "\0", "BASELINE")  # noqa: E731
                     .replace(os.path.dirname(ca), "$TMP"))
    lines += ["", "```"] + [rel(c) for c in dict.fromkeys(commands)] + ["```", ""]
    lines += [f"- {n}" for n in notes] + ["", END]
    bench_keyspace_write(out, "\n".join(lines))
    for r in rows:
        log("  " + " | ".join(r))
    return []


def bench_keyspace_write(path, text):
    old = open(path).read() if os.path.exists(path) else ""
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + text + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    with open(path, "w") as f:
        f.write(new)
