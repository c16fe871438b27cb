#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""sd_notify: with a fake NOTIFY_SOCKET and WATCHDOG_USEC, a live daemon (in a netns of the
test's own) sends READY=1, STATUS= lines, WATCHDOG=1 pings, RELOADING=1 then READY=1 on
SIGHUP, and STOPPING=1 on SIGTERM, in that order. A second run stalls RX lcore 0 after 1 s
(the test-only hook TCPWINTMTD_TEST_STALL_RX0_S): the pings must stop. A third waits on a
full disk (a 24 MiB tmpfs of the test's own, filled up) with every slot of an 8-pair table
holding a record for the writer: the RX lcore waits for it, which is no stall, so the pings
must go on (systemd would kill the daemon and lose every flow in memory), and once space
returns every record is written.
Usage: run_notify.py DAEMON OUTDIR. Needs root (else SKIP)."""
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livenet  # noqa: E402
from livenet import Daemon  # noqa: E402
import verdict  # noqa: E402


def collect(sock, t0, seconds, msgs):
    """Append what sock receives for `seconds` as (seconds since t0, kind) to msgs."""
    end = time.time() + seconds
    while time.time() < end:
        try:
            msgs.append((time.time() - t0, sock.recv(4096).decode().split("=")[0]))
        except socket.timeout:
            pass


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
    try:
        collect(sock, t0, 1.5, msgs)
        if not stall:
            d.p.send_signal(signal.SIGHUP)
        collect(sock, t0, 1.5, msgs)
        rc, _ = d.stop()
        collect(sock, t0, 0.3, msgs)
    finally:
        d.kill()
    return rc, msgs


def udp_flows(path, n):
    """n one-packet UDP flows (distinct source ports and hosts), 1 ms apart."""
    recs = []
    for i in range(n):
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, i & 0xffff, 0, 64, 17, 0,
                         bytes([10, 1, i >> 8 & 0xff, i & 0xff]), bytes([10, 2, 0, 1]))
        udp = struct.pack("!HHHH", 1024 + i % 60000, 53, 8, 0)
        fr = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + udp
        recs.append((1700000000 + i // 1000, i % 1000 * 1000, fr))
    livenet.write_timed_pcap(path, recs)


def disk_full(daemon, outdir, sock, fails):
    """Offline on a full disk: [(seconds since start, kind)] while it waits."""
    n = 40000  # about 10 MB of lines: more than the writer's 4 MiB buffer and ring, less
    # than the tmpfs once the filler is gone
    pcap = os.path.join(outdir, "flows.pcap")
    conf = os.path.join(outdir, "full.conf")
    udp_flows(pcap, n)
    with open(conf, "w") as f:
        f.write("flow_table = { pairs = 8; };\noutput = { flush_interval_ms = 10; };\n")
    mnt = tempfile.mkdtemp(prefix="tcpwt-notify-full-")
    msgs = []
    try:
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mnt],
                          capture_output=True, timeout=30).returncode != 0:
            fails.append("disk full: cannot mount a tmpfs")
            return msgs
        filler = os.path.join(mnt, "filler")
        livenet.fill(filler)
        t0 = time.time()
        p = subprocess.Popen([daemon, "-c", conf, "-r", pcap, "-w", mnt],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            collect(sock, t0, 4.0, msgs)
            waited = p.poll() is None
            os.unlink(filler)
            _, err = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        with open(os.path.join(mnt, "flows_flows.txt")) as f:
            lines = sum(1 for line in f if not line.startswith("%"))
        if not waited:
            fails.append("disk full: the daemon did not wait for space (exit %s)" % p.returncode)
        if p.returncode != 0:
            fails.append("disk full: exit %d: %s" % (p.returncode, err.strip()[-300:]))
        if lines != n:
            fails.append("disk full: %d flow lines written, %d expected" % (lines, n))
    finally:
        subprocess.run(["umount", mnt], capture_output=True, timeout=30)
        os.rmdir(mnt)
    return msgs


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
        msgs3 = disk_full(daemon, outdir, sock, fails)
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
    late = [t for t, k in msgs3 if k == "WATCHDOG" and t > 2.0]
    print("disk full: pings at %s" % ["%.2f" % t for t, k in msgs3 if k == "WATCHDOG"])
    if len(late) < 3:
        fails.append("disk full: the RX lcore waits for the writer, not stalled: %d pings "
                     "from 2 s to 4 s (interval 0.4 s)" % len(late))
    return verdict.finish(fails)


if __name__ == "__main__":
    sys.exit(main())
