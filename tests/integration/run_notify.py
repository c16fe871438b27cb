#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""sd_notify: with a fake NOTIFY_SOCKET and WATCHDOG_USEC, a live daemon (in a netns of the
test's own) sends READY=1, STATUS= lines, WATCHDOG=1 pings, RELOADING=1 then READY=1 on
SIGHUP, and STOPPING=1 on SIGTERM, in that order. A second run stalls RX lcore 0 after 1 s
(the test-only hook TCPWINTMTD_TEST_STALL_RX0_S): the pings must stop.
Usage: run_notify.py DAEMON OUTDIR. Needs root (else SKIP)."""
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livenet  # noqa: E402
from livenet import Daemon  # noqa: E402
import verdict  # noqa: E402


def session(daemon, outdir, sock, stall):
    """Run the daemon ~3 s; returns [(seconds since start, kind)]."""
    msgs = []
    env_before = dict(os.environ)
    if stall:
        os.environ["TCPWINTMTD_TEST_STALL_RX0_S"] = "1.0"
    d = Daemon(daemon, outdir, "")
    os.environ.clear()
    os.environ.update(env_before)
    t0 = time.time()

    def collect(seconds):
        end = time.time() + seconds
        while time.time() < end:
            try:
                msgs.append((time.time() - t0, sock.recv(4096).decode().split("=")[0]))
            except socket.timeout:
                pass
    try:
        collect(1.5)
        if not stall:
            d.p.send_signal(signal.SIGHUP)
        collect(1.5)
        rc, _ = d.stop()
        collect(0.3)
    finally:
        d.kill()
    return rc, msgs


def main():
    daemon, outdir = sys.argv[1:3]
    if livenet.skipped("integration.notify"):
        return 77
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "notify.sock")
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.1)
    os.environ["NOTIFY_SOCKET"] = path
    os.environ["WATCHDOG_USEC"] = "400000"
    fails = []
    try:
        livenet.setup()
        rc, msgs = session(daemon, os.path.join(outdir, "normal"), sock, stall=False)
        rc2, msgs2 = session(daemon, os.path.join(outdir, "stall"), sock, stall=True)
    finally:
        livenet.teardown()
        sock.close()
    kinds = [k for _, k in msgs]
    print("notifications: %s" % " ".join(kinds))
    order = [k for k in kinds if k in ("READY", "RELOADING", "STOPPING")]
    if order[:4] != ["READY", "RELOADING", "READY", "STOPPING"]:
        fails.append("READY, RELOADING, READY, STOPPING expected in that order: %s" % order)
    if "STATUS" not in kinds:
        fails.append("no STATUS=")
    pings = [t for t, k in msgs if k == "WATCHDOG"]
    if len(pings) < 4:
        fails.append("only %d watchdog pings in 3 s (interval 0.4 s)" % len(pings))
    if rc != 0:
        fails.append("exit %d" % rc)
    late = [t for t, k in msgs2 if k == "WATCHDOG" and 1.5 < t < 3.0]
    early = [t for t, k in msgs2 if k == "WATCHDOG" and t < 1.0]
    print("stalled run: pings at %s" % ["%.2f" % t for t, k in msgs2 if k == "WATCHDOG"])
    if not early or late:
        fails.append("with RX lcore 0 stalled after 1 s the pings must stop: %d before, %d "
                     "after 1.5 s" % (len(early), len(late)))
    if rc2 != 0:
        fails.append("stalled run: exit %d" % rc2)
    return verdict.finish(fails)


if __name__ == "__main__":
    sys.exit(main())
