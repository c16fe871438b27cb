#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""sd_notify: with a fake NOTIFY_SOCKET and WATCHDOG_USEC, a live daemon (in a netns of the
test's own) sends READY=1, STATUS= lines, WATCHDOG=1 pings, and STOPPING=1 on SIGTERM, in
that order. Usage: run_notify.py DAEMON OUTDIR. Needs root (else SKIP)."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livenet  # noqa: E402
from livenet import Daemon  # noqa: E402


def main():
    daemon, outdir = sys.argv[1:3]
    why = livenet.available()
    if why:
        print("SKIP: integration.notify: " + why)
        return 77
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "notify.sock")
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.2)
    os.environ["NOTIFY_SOCKET"] = path
    os.environ["WATCHDOG_USEC"] = "400000"
    msgs = []

    def collect(seconds):
        end = time.time() + seconds
        while time.time() < end:
            try:
                msgs.append(sock.recv(4096).decode())
            except socket.timeout:
                pass

    try:
        livenet.setup()
        d = Daemon(daemon, outdir, "")
        os.environ["WATCHDOG_PID"] = str(d.p.pid)
        try:
            collect(2.0)
            rc, _ = d.stop()
            collect(0.5)
        finally:
            d.kill()
    finally:
        livenet.teardown()
        sock.close()
    kinds = [m.split("=")[0] for m in msgs]
    first = {k: kinds.index(k) for k in ("READY", "STATUS", "WATCHDOG", "STOPPING")
             if k in kinds}
    fails = []
    if len(first) != 4:
        fails.append("missing notifications: got %s" % sorted(set(kinds)))
    elif not first["READY"] < first["WATCHDOG"] < first["STOPPING"]:
        fails.append("out of order: %s" % kinds)
    if kinds.count("WATCHDOG") < 3:
        fails.append("only %d watchdog pings in 2 s (interval 0.4 s)" % kinds.count("WATCHDOG"))
    if kinds and kinds[-1] != "STOPPING" and "STOPPING" in kinds and \
            "READY" in kinds[first["STOPPING"]:]:
        fails.append("READY after STOPPING")
    if rc != 0:
        fails.append("exit %d" % rc)
    print("notifications: %s" % " ".join(kinds))
    for f in fails:
        print("FAIL:", f)
    print("%d passed, %d failed" % (0 if fails else 1, 1 if fails else 0))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
