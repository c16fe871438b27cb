# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for the tests that capture live: a network namespace with a veth pair va/vb made
by the test (IPv6 off, so the kernel sends nothing of its own), the daemon on va, and small
pcap readers and writers. Every external command is bounded in time."""
import json
import os
import shutil
import signal
import struct
import subprocess
import time

NS = "tcpwt-%d" % os.getpid()


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


def ns(*cmd):
    return ["ip", "netns", "exec", NS, *cmd]


def pcap_records(path):
    """(linktype, [frame bytes]) of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    linktype = struct.unpack(end + "I", data[20:24])[0]
    frames, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return linktype, frames


def win0(frames):
    """TCP packets (Ethernet, IPv4, unfragmented) whose raw window field is 0."""
    n = 0
    for fr in frames:
        if len(fr) < 34 or fr[12:14] != b"\x08\x00" or fr[23] != 6:
            continue
        ihl = (fr[14] & 15) * 4
        if len(fr) >= 14 + ihl + 16 and fr[14 + ihl + 14:14 + ihl + 16] == b"\x00\x00":
            n += 1
    return n


def write_timed_pcap(path, records):
    """A classic pcap file (Ethernet) of records [(sec, usec, frame bytes)], in this order,
    times as given."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for sec, usec, fr in records:
            f.write(struct.pack("<IIII", sec, usec, len(fr), len(fr)) + fr)


def fill(path):
    """Write zeros to path until its file system is full (a full disk for a test's own
    small tmpfs)."""
    with open(path, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass


def write_pcap(path, frames):
    """frames a second apart from 1700000000."""
    write_timed_pcap(path, [(1700000000 + i, 0, fr) for i, fr in enumerate(frames)])


class Daemon:
    def __init__(self, daemon, outdir, conf_text, device="net_af_packet0,iface=va"):
        os.makedirs(outdir, exist_ok=True)
        self.outdir = outdir
        conf = os.path.join(outdir, "live.conf")
        with open(conf, "w") as f:
            f.write(conf_text)
        self.err = open(os.path.join(outdir, "stderr.txt"), "w+")
        self.p = subprocess.Popen(ns(daemon, "-c", conf, "-i", device,
                                     "-w", outdir), stdout=subprocess.PIPE,
                                  stderr=self.err, text=True)
        self.flows = os.path.join(outdir, "tcpwintmt_flows.txt")
        deadline = time.time() + 30
        while time.time() < deadline:
            self.err.seek(0)
            if "capturing on" in self.err.read():
                return
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("daemon did not start: " + self.stderr())

    def stderr(self):
        self.err.seek(0)
        return self.err.read()

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        out, _ = self.p.communicate(timeout=60)
        return self.p.returncode, out

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()




def available():
    """None if live tests can run here, else why not."""
    missing = [t for t in ("ip", "tcpreplay") if shutil.which(t) is None]
    if os.geteuid() != 0 or missing:
        return "needs root and %s" % (", ".join(missing) or "root")
    return None


def skipped(test):
    """77 (meson's skip) after saying why, where live tests cannot run here; else None."""
    why = available()
    if why:
        print("SKIP: %s: %s" % (test, why))
        return 77
    return None


def telemetry(pid):
    """The daemon's /tcpwintmt/stats (the default --file-prefix) through dpdk-telemetry.py,
    as a user reads them; {} if the reply holds none."""
    tool = shutil.which("dpdk-telemetry.py")
    if tool is None:  # a hard failure, not a skip: scripts/install-deps.sh installs it
        raise RuntimeError("dpdk-telemetry.py not found: it is in Debian's dpdk-dev package "
                           "(scripts/install-deps.sh)")
    q = subprocess.run([tool, "-f", "tcpwintmtd-%d" % pid], input="/tcpwintmt/stats\n",
                       capture_output=True, text=True, timeout=30)
    start = q.stdout.find('{"/tcpwintmt/stats"')
    if start < 0:
        return {}
    return json.loads(q.stdout[start:q.stdout.index("\n", start)])["/tcpwintmt/stats"]


def setup():
    sh("ip", "netns", "add", NS)
    sh("ip", "-n", NS, "link", "add", "va", "type", "veth", "peer", "name", "vb")
    for dev in ("va", "vb"):
        sh("ip", "-n", NS, "link", "set", dev, "mtu", "9000", "up")
    sh(*ns("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"))


def teardown():
    subprocess.run(["ip", "netns", "del", NS], capture_output=True, timeout=60)


def replay(pcap, *opts):
    subprocess.run(ns("tcpreplay", "-q", *opts, "-i", "vb", pcap), check=True,
                   capture_output=True, timeout=120)
