#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Flow files users can trust: rotation, retention, compression, tail -F, a full disk,
JSON lines and live statistics.

  1. size rotation (offline, with and without gzip): the closed files, in name order, then
     the active file hold exactly the records of an unrotated run, in order; every file
     starts with the header row and ends with a complete line; names sort by time;
     retention keeps exactly the newest keep_files closed files;
  2. time rotation (with gzip) and tail -F (live, a netns of the test's own): records arrive over a few
     seconds with rotate_interval_s = 1 and a small rotate_bytes; a follower that reopens
     the active file by name, as `tail -F` does, receives every record exactly once across
     at least three rotations;
  3. a full disk (a 2 MiB tmpfs mounted by the test and filled up): the daemon reports the
     error once, keeps running (a SIGTERM once its input is done is a first one: it keeps
     waiting), and once space is freed writes every record, none lost; with the disk still
     full a second SIGTERM gives up waiting, exits 1 and reports the loss;
     the packet log (packet_log.enable) rotates and compresses the same way;
  4. JSON lines: one object per flow line, the same values as the text file;
  5. dpdk-telemetry.py reads /tcpwintmt/stats from a running daemon.
Usage: run_output.py DAEMON OUTDIR DATA. Parts 2, 3 and 5 need root (else SKIP, named).
"""
import glob
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livenet  # noqa: E402
from livenet import Daemon  # noqa: E402

results = []


def check(ok, what):
    results.append((bool(ok), what))
    print("%s %s" % ("ok  " if ok else "FAIL", what))


def run(daemon, pcap, out, conf="", extra=()):
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "t.conf")
    with open(path, "w") as f:
        f.write(conf)
    return subprocess.run([daemon, "-c", path, "-r", pcap, "-w", out, *extra],
                          capture_output=True, text=True, timeout=300)


def read_any(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return f.read()


def split_files(out, stem):
    """(closed files sorted by name, active file) of DIR/STEM_flows*."""
    closed = sorted(glob.glob(os.path.join(out, stem + "_flows-*")))
    return closed, os.path.join(out, stem + "_flows.txt")


def records_of(paths, header):
    recs, problems = [], []
    for p in paths:
        text = read_any(p)
        if not text.startswith(header):
            problems.append("%s does not start with the header" % os.path.basename(p))
        if text and not text.endswith("\n"):
            problems.append("%s ends in a partial line" % os.path.basename(p))
        recs += text[len(header):].splitlines()
    return recs, problems


def size_rotation(daemon, outdir, data):
    pcap = os.path.join(data, "demo.pcap")
    ref = run(daemon, pcap, os.path.join(outdir, "plain"), extra=("-s",))
    with open(os.path.join(outdir, "plain", "demo_flows.txt")) as f:
        header = f.readline()
        want = f.read().splitlines()
    for gz in (False, True):
        out = os.path.join(outdir, "size-gz" if gz else "size")
        p = run(daemon, pcap, out, "output = { rotate_bytes = 600; gzip = %s; };\n"
                % ("true" if gz else "false"))
        closed, active = split_files(out, "demo")
        got, problems = records_of(closed + [active], header)
        check(p.returncode == 0 and ref.returncode == 0, "size rotation%s: daemon exit 0"
              % (" + gzip" if gz else ""))
        check(len(closed) >= 3, "size rotation%s: %d closed files" % (
            " + gzip" if gz else "", len(closed)))
        check(got == want, "size rotation%s: every record exactly once, in order" % (
            " + gzip" if gz else ""))
        check(not problems, "size rotation%s: header first, no partial line %s" % (
            " + gzip" if gz else "", problems))
        check(all(c.endswith(".txt.gz") == gz for c in closed) and
              not glob.glob(os.path.join(out, "*.part")),
              "size rotation%s: closed file names" % (" + gzip" if gz else ""))
    out = os.path.join(outdir, "pktlog")
    p = run(daemon, pcap, out, "packet_log = { enable = true; rotate_bytes = 2000; "
            "gzip = true; };\n")
    with open(os.path.join(outdir, "plain", "demo_packets.txt")) as f:
        pheader = f.readline()
        pwant = f.read().splitlines()
    closed = sorted(glob.glob(os.path.join(out, "demo_packets-*")))
    got, problems = records_of(closed + [os.path.join(out, "demo_packets.txt")], pheader)
    check(p.returncode == 0 and len(closed) >= 2 and got == pwant and not problems,
          "packet log rotation + gzip: %d closed files, every line once, in order %s"
          % (len(closed), problems))
    out = os.path.join(outdir, "keep")
    run(daemon, pcap, out, "output = { rotate_bytes = 600; keep_files = 2; };\n")
    closed, active = split_files(out, "demo")
    kept, _ = records_of(closed + [active], header)
    check(len(closed) == 2 and kept == want[len(want) - len(kept):],
          "retention keep_files = 2 keeps exactly the newest two closed files: %s"
          % [os.path.basename(c) for c in closed])


class Follower(threading.Thread):
    """Follow DIR/FILE by name like `tail -F`: read to the end, and when the name points to
    a new file, finish the old one and continue with the new one from its start."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.lines, self.files, self.stop = path, [], 0, False

    def run(self):
        f, buf = None, ""
        while True:
            if f is None:
                try:
                    f = open(self.path)
                    self.files += 1
                except FileNotFoundError:
                    time.sleep(0.01)
                    continue
            chunk = f.read()
            buf += chunk
            if not chunk:
                try:
                    moved = os.stat(self.path).st_ino != os.fstat(f.fileno()).st_ino
                except FileNotFoundError:
                    moved = True
                if moved:
                    buf += f.read()
                    f.close()
                    f = None
                    continue
                if self.stop:
                    break
                time.sleep(0.01)
            *done, buf = buf.split("\n")
            self.lines += [line for line in done if not line.startswith("%")]
        if f is not None:
            f.close()


def tail_and_time_rotation(daemon, outdir, data):
    out = os.path.join(outdir, "tail")
    conf = ("output = { rotate_interval_s = 1; rotate_bytes = 700; gzip = true; };\n"
            "timeouts = { flow_timeout_s = 0.3; tmt_est_s = 0.3; tmt_bgn_s = 0.3; };\n")
    follower = Follower(os.path.join(out, "tcpwintmt_flows.txt"))
    d = Daemon(daemon, out, conf)
    try:
        follower.start()
        # 37 packets at 10 per second: records leave over about four seconds
        livenet.replay(os.path.join(data, "demo.pcap"), "--pps=10")
        time.sleep(1.0)
        rc, _ = d.stop()
    finally:
        d.kill()
    follower.stop = True
    follower.join(10)
    closed = sorted(glob.glob(os.path.join(out, "tcpwintmt_flows-*")))
    on_disk = []
    for p in closed + [os.path.join(out, "tcpwintmt_flows.txt")]:
        on_disk += [ln for ln in read_any(p).splitlines() if not ln.startswith("%")]
    check(rc == 0, "tail -F: daemon exit 0")
    check(len(closed) >= 3, "time/size rotation live: %d closed files" % len(closed))
    check(sorted(follower.lines) == sorted(on_disk) and
          len(set(follower.lines)) == len(follower.lines) and len(on_disk) > 0,
          "tail -F follower got every record exactly once (%d records, %d files opened)"
          % (len(follower.lines), follower.files))


def disk_full(daemon, outdir, data):
    mnt = tempfile.mkdtemp(prefix="tcpwt-full-")
    pcap = os.path.join(data, "demo.pcap")
    try:
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt],
                          capture_output=True).returncode != 0:
            print("SKIP: disk full: cannot mount a tmpfs here")
            return
        filler = os.path.join(mnt, "filler")
        livenet.fill(filler)
        ref = os.path.join(outdir, "plain", "demo_flows.txt")
        conf = os.path.join(outdir, "full.conf")
        with open(conf, "w") as f:
            f.write("output = { flush_interval_ms = 10; };\n")
        p = subprocess.Popen([daemon, "-c", conf, "-r", pcap, "-w", mnt],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2.0)
        # the input is done, so the run is already stopping: a first SIGTERM is still a
        # first one (write everything), not the second's "stop waiting for the disk"
        p.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        still_running = p.poll() is None
        os.unlink(filler)
        out, err = p.communicate(timeout=60)
        with open(os.path.join(mnt, "demo_flows.txt")) as f:
            got = f.read()
        with open(ref) as f:
            want = f.read()
        check(still_running, "disk full: the daemon waits for space instead of exiting")
        check(p.returncode == 0, "disk full: exit 0 after space returned (%d: %s)" % (
            p.returncode, err.strip()[-200:]))
        check(err.count("No space left on device") == 1,
              "disk full: the error is reported once (%d times)" %
              err.count("No space left on device"))
        check(got == want, "disk full: every record written once space returned")
        # the disk stays full: a second SIGTERM gives up waiting, and says what was lost
        os.unlink(os.path.join(mnt, "demo_flows.txt"))
        livenet.fill(filler)
        p = subprocess.Popen([daemon, "-c", conf, "-r", pcap, "-w", mnt],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2.0)
        for _ in range(2):
            p.send_signal(signal.SIGTERM)
            time.sleep(0.3)
        try:
            _, err = p.communicate(timeout=20)
            gave_up = True
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
            gave_up = False
        check(gave_up and p.returncode == 1 and "could not be written (lost)" in err,
              "disk full: a second SIGTERM stops waiting, exit 1, the loss reported (%s, "
              "exit %s: %s)" % ("stopped" if gave_up else "still waiting after 20 s",
                                p.returncode, err.strip()[-200:]))
    finally:
        subprocess.run(["umount", mnt], capture_output=True)
        os.rmdir(mnt)


def json_lines(daemon, outdir, data):
    out = os.path.join(outdir, "json")
    run(daemon, os.path.join(data, "demo.pcap"), out, 'output = { format = "json"; };\n')
    with open(os.path.join(outdir, "plain", "demo_flows.txt")) as f:
        cols = f.readline().lstrip("%").rstrip("\n").split("\t")
        text = [dict(zip(cols, line.rstrip("\n").split("\t"))) for line in f]
    with open(os.path.join(out, "demo_flows.json")) as f:
        objs = [json.loads(line) for line in f]
    same = len(objs) == len(text) and all(
        list(o) == cols and all(str(o[c]) == t[c] or
                                (isinstance(o[c], float) and "%.6f" % o[c] == t[c])
                                for c in cols)
        for o, t in zip(objs, text))
    check(same, "JSON lines: %d objects, same columns and values as the text file"
          % len(objs))


def telemetry(daemon, outdir, data):
    d = Daemon(daemon, os.path.join(outdir, "telemetry"), "")
    try:
        livenet.replay(os.path.join(data, "demo.pcap"), "--pps=5000")
        time.sleep(0.5)
        stats = livenet.telemetry(d.p.pid)
        rc, _ = d.stop()
    finally:
        d.kill()
    check(stats.get("packets") == 37 and stats.get("nic_ipackets") == 37,
          "dpdk-telemetry.py reads /tcpwintmt/stats: %s" % stats)
    check(rc == 0, "telemetry: daemon exit 0")


def main():
    daemon, outdir, data = sys.argv[1:4]
    shutil.rmtree(outdir, ignore_errors=True)  # a run starts from nothing
    os.makedirs(outdir, exist_ok=True)
    size_rotation(daemon, outdir, data)
    json_lines(daemon, outdir, data)
    why = livenet.available()
    if why:
        print("SKIP: integration.output live parts (tail -F, disk full, telemetry): " + why)
    else:
        disk_full(daemon, outdir, data)
        try:
            livenet.setup()
            tail_and_time_rotation(daemon, outdir, data)
            telemetry(daemon, outdir, data)
        finally:
            livenet.teardown()
    failed = sum(1 for ok, _ in results if not ok)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
