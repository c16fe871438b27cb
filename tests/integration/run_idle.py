#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""An idle live daemon keeps its writer asleep. In a netns of the test's own, with no
traffic, the writer thread (named tcpw-writer) may wake at most 1,000 times a second: it
looks at the empty record rings less and less often, down to every 5 ms (200 a second),
and touches the flow file only at the flush interval. It used to look, and lstat() the
file, every 200 us: 3,500 times a second, a tenth of a CPU. Then a SIGTERM still ends it
with exit 0. Counts, not times: a slow machine only makes the writer wake less.
Usage: run_idle.py DAEMON OUTDIR. Needs root (else SKIP)."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livenet  # noqa: E402
from livenet import Daemon  # noqa: E402
import verdict  # noqa: E402

MAX_WAKEUPS_PER_S = 1000
SECONDS = 2.0


def writer_task(pid):
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
            if f.read().strip() == "tcpw-writer":
                return "/proc/%d/task/%s" % (pid, tid)
    return None


def wakeups_and_ticks(task):
    with open(task + "/status") as f:
        woke = next(int(l.split()[1]) for l in f if l.startswith("voluntary_ctxt_switches"))
    with open(task + "/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return woke, int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks


def main():
    daemon, outdir = sys.argv[1:3]
    if livenet.skipped("integration.idle"):
        return 77
    fails = []
    livenet.setup()
    try:
        d = Daemon(daemon, outdir, "")
        try:
            time.sleep(1.0)  # past start-up, with nothing to write
            task = writer_task(d.p.pid)
            if task is None:
                fails.append("no thread named tcpw-writer in the daemon")
            else:
                w0, t0 = wakeups_and_ticks(task)
                time.sleep(SECONDS)
                w1, t1 = wakeups_and_ticks(task)
                rate = (w1 - w0) / SECONDS
                cpu = (t1 - t0) / os.sysconf("SC_CLK_TCK") / SECONDS
                print("idle writer: %.0f wake-ups a second, %.1f%% of a CPU" %
                      (rate, 100 * cpu))
                if rate > MAX_WAKEUPS_PER_S:
                    fails.append("idle writer woke %.0f times a second (at most %d)" %
                                 (rate, MAX_WAKEUPS_PER_S))
            rc, _ = d.stop()
            if rc != 0:
                fails.append("exit %d after SIGTERM: %s" % (rc, d.stderr()[-300:]))
        finally:
            d.kill()
    finally:
        livenet.teardown()
    return verdict.finish(fails)


if __name__ == "__main__":
    sys.exit(main())
