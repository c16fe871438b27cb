#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check that the RX path takes no lock, makes no system call, allocates nothing and logs
nothing (DESIGN.md, ownership rule 1).

The RX path is app/lcore_rx.c and the library code it calls per packet: lib/engine.c,
lib/parse.c and lib/tcp_state.h. Functions that only run at set-up or tear-down (create,
free, set_timeouts) or for reports are skipped by name. Every other function body is
searched for calls that lock, allocate, log, sleep or enter the kernel.

The packet-mode callback (app/main.c, write_packet_line) writes with stdio on the RX lcore:
packet mode is a diagnostic mode, allowed with one RX lcore only, and lives outside these
files on purpose.
Usage: check-rx-path.py [SOURCE_ROOT]; prints "N passed, M failed".
"""
import os
import re
import sys

FILES = ("app/lcore_rx.c", "lib/engine.c", "lib/parse.c", "lib/tcp_state.h")
COLD = re.compile(r"(_create|_free|set_timeouts|_stats|_stats_merge|verdict_name|hdrs_format"
                  r"|linktype_supported)$")
FORBIDDEN = re.compile(
    r"\b(malloc|calloc|realloc|free|tcpw_zalloc|tcpw_free|rte_malloc|rte_zmalloc|rte_free"
    r"|printf|fprintf|sprintf|snprintf|vsnprintf|puts|fputs|fwrite|fflush|perror"
    r"|write|read|open|close|ioctl|send|recv|usleep|sleep|nanosleep|rte_delay_us_sleep"
    r"|gettimeofday|clock_gettime|time|syslog|rte_log|RTE_LOG\w*"
    r"|pthread_mutex_\w+|pthread_spin_\w+|pthread_rwlock_\w+|rte_spinlock_\w+"
    r"|rte_rwlock_\w+|sem_\w+)\s*\(")


def functions(text):
    """(name, body) of each top-level function definition."""
    for m in re.finditer(r"^(\w+)\([^;{]*\)\n\{\n(.*?)^\}", text, re.M | re.S):
        yield m.group(1), m.group(2)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    passed = failed = 0
    for rel in FILES:
        with open(os.path.join(root, rel)) as f:
            text = f.read()
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        found = list(functions(text))
        if not found:
            print("FAIL %s: no function found (is the parser out of date?)" % rel)
            failed += 1
        for name, body in found:
            if COLD.search(name):
                continue
            bad = sorted(set(m.group(1) for m in FORBIDDEN.finditer(body)))
            if bad:
                print("FAIL %s: %s() calls %s on the RX path" % (rel, name, ", ".join(bad)))
                failed += 1
            else:
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
