#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Receive rate of a running DPDK process, read from its telemetry socket.

Waits until port PORT of the process with --file-prefix PREFIX has received packets (net_pcap
with infinite_rx loads the whole capture before the first packet, which can take seconds),
lets WARMUP seconds pass, then reads /ethdev/stats,PORT "ipackets" twice, SECONDS apart, on one
connection (no interpreter start-up between the samples). Prints one line:
    PACKETS_AT_START PACKETS_AT_END ELAPSED_S
Exit status 1 if the socket never appears or the port receives nothing within WAIT seconds.
Usage: rx_rate.py PREFIX SECONDS [WARMUP=2] [WAIT=600] [PORT=0]
"""
import json
import os
import socket
import sys
import time


def runtime_dir(prefix):
    base = "/var/run/dpdk" if os.getuid() == 0 else \
        os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")
    return os.path.join(base, prefix)


def connect(path, deadline):
    while time.monotonic() < deadline:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            s.connect(path)
            s.recv(16384)  # the greeting: version, pid, max_output_len
            return s
        except OSError:
            s.close()
            time.sleep(0.2)
    return None


def ipackets(s, port):
    s.send(f"/ethdev/stats,{port}".encode())
    reply = json.loads(s.recv(1 << 20).decode())
    stats = reply.get("/ethdev/stats")
    return stats["ipackets"] if isinstance(stats, dict) else 0


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    prefix, secs = sys.argv[1], float(sys.argv[2])
    warmup = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
    wait = float(sys.argv[4]) if len(sys.argv) > 4 else 600.0
    port = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    deadline = time.monotonic() + wait
    s = connect(os.path.join(runtime_dir(prefix), "dpdk_telemetry.v2"), deadline)
    if s is None:
        sys.exit(f"rx_rate: no telemetry socket for --file-prefix {prefix}")
    while ipackets(s, port) == 0:
        if time.monotonic() > deadline:
            sys.exit(f"rx_rate: port {port} of {prefix} received nothing in {wait} s")
        time.sleep(0.1)
    time.sleep(warmup)
    t0 = time.monotonic()
    n0 = ipackets(s, port)
    time.sleep(secs)
    t1 = time.monotonic()
    n1 = ipackets(s, port)
    s.close()
    print(n0, n1, f"{t1 - t0:.6f}")


if __name__ == "__main__":
    main()
