#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""SIGHUP reload on a running daemon (live, in a netns of the test's own).

  1. with tmt_est_s = 1.0, two ACKs 2 s apart on one connection make two flow pairs;
  2. tmt_est_s = 4.0, rotate_bytes = 300 and tcpwin.thres = 1001 by SIGHUP: telemetry
     shows the new values in effect on every lcore, the same pattern on another connection
     now makes one pair, the flow file rotates, and the end report names the new
     threshold (windows of 1000 are below it);
  3. a config with a syntax error, and one changing flow_table.pairs (needs a restart), are
     refused by name and the daemon keeps running on the current one;
  4. SIGTERM: exit 0, and every packet the port counted is in a record (no flow lost).
Usage: run_reload.py DAEMON OUTDIR. Needs root (else SKIP)."""
import glob
import os
import shutil
import signal
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accounting  # noqa: E402
import livenet  # noqa: E402
from livenet import Daemon  # noqa: E402

results = []


def check(ok, what):
    results.append(bool(ok))
    print("%s %s" % ("ok  " if ok else "FAIL", what))


def ack(sport, t):
    tcp = struct.pack("!HHIIBBHHH", sport, 80, 1, 1, 5 << 4, 0x10, 1000, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0, b"\x0a\0\0\x01",
                     b"\x0a\0\0\x02")
    return (t, b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp)


def write_timed_pcap(path, pkts):
    """pkts: [(time in seconds, frame)]."""
    livenet.write_timed_pcap(path, [(int(t), int((t % 1) * 1e6), fr) for t, fr in pkts])


def pairs_of_port(out, port):
    lines = []
    for p in sorted(glob.glob(os.path.join(out, "tcpwintmt_flows*"))):
        with open(p) as f:
            lines += [ln.split("\t") for ln in f if not ln.startswith("%")]
    return len({ln[1] for ln in lines if ln[14] == str(port) or ln[16] == str(port)})


def hup(d, conf, text):
    with open(conf, "w") as f:
        f.write(text)
    before = len(d.stderr())
    d.p.send_signal(signal.SIGHUP)
    time.sleep(1.0)
    return d.stderr()[before:]


def main():
    daemon, outdir = sys.argv[1:3]
    shutil.rmtree(outdir, ignore_errors=True)  # a run starts from nothing
    if livenet.skipped("integration.reload"):
        return 77
    os.makedirs(outdir, exist_ok=True)
    conf = os.path.join(outdir, "live.conf")
    base = "timeouts = { tmt_est_s = %s; };\noutput = { rotate_bytes = %d; };\n"
    try:
        livenet.setup()
        d = Daemon(daemon, outdir, base % ("1.0", 0))
        try:
            t0 = 1700000000.0
            p1 = os.path.join(outdir, "before.pcap")
            write_timed_pcap(p1, [ack(40001, t0), ack(40001, t0 + 2.0)])
            s0 = livenet.telemetry(d.p.pid)
            check(s0.get("tmt_est_us") == 1000000, "telemetry before: tmt_est_us %s"
                  % s0.get("tmt_est_us"))
            livenet.replay(p1)
            err = hup(d, conf, base % ("4.0", 300) + "tcpwin = { thres = 1001; };\n")
            s1 = livenet.telemetry(d.p.pid)
            check("configuration reloaded" in err, "reload taken: %r" % err.strip())
            check(s1.get("tmt_est_us") == 4000000 and s1.get("rotate_bytes") == 300 and
                  s1.get("tcpwin_thres") == 1001 and s1.get("config_applied") == 1 and
                  s1.get("config_generation", 0) > s0.get("config_generation", 0),
                  "telemetry after: tmt_est_us %s, rotate_bytes %s, applied %s" % (
                      s1.get("tmt_est_us"), s1.get("rotate_bytes"), s1.get("config_applied")))
            p2 = os.path.join(outdir, "after.pcap")
            write_timed_pcap(p2, [ack(40002, t0), ack(40002, t0 + 2.0)] +
                             [ack(41000 + i, t0 + 2.0 + i * 0.01) for i in range(12)])
            livenet.replay(p2)
            err = hup(d, conf, "timeouts = { tmt_est_s = 4.0 ;\n")
            check("reload refused" in err and "syntax error" in err,
                  "a config with a syntax error is refused: %r" % err.strip()[:160])
            err = hup(d, conf, base % ("4.0", 300) + "flow_table = { pairs = 1024; };\n")
            check("reload refused" in err and "flow_table.pairs" in err,
                  "a change needing a restart is refused by name: %r" % err.strip()[:160])
            s2 = livenet.telemetry(d.p.pid)
            check(s2.get("tmt_est_us") == 4000000 and
                  s2.get("config_generation") == s1.get("config_generation"),
                  "after the refusals the running configuration is unchanged")
            time.sleep(5.0)  # let the 4 s timeouts expire, so the records are written
            rc, report = d.stop()
        finally:
            d.kill()
    finally:
        livenet.teardown()
    check(rc == 0, "SIGTERM: exit 0")
    check(pairs_of_port(outdir, 40001) == 2, "before the reload (1.0 s): a 2 s gap splits "
          "the connection in %d pairs" % pairs_of_port(outdir, 40001))
    check(pairs_of_port(outdir, 40002) == 1, "after the reload (4.0 s): the same gap keeps "
          "one pair (%d)" % pairs_of_port(outdir, 40002))
    check("below threshold 1001:" in report, "the end report names the threshold in "
          "effect: %r" % [ln for ln in report.splitlines() if "threshold" in ln])
    closed = glob.glob(os.path.join(outdir, "tcpwintmt_flows-*"))
    check(len(closed) >= 2, "after the reload the flow file rotates (%d closed)" % len(closed))
    ipackets = int(report.split("received by the port (ipackets):")[1].split()[0])
    flows = sum(int(ln.split("\t")[21]) for p in glob.glob(os.path.join(
        outdir, "tcpwintmt_flows*")) for ln in open(p) if not ln.startswith("%"))
    check(ipackets == 16 and flows + accounting.nonflow(report) == ipackets,
          "no flow lost: %d packets in records, port counted %d" % (flows, ipackets))
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
