#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the hand-made inputs of tests/fuzz/regress/ (the fuzzers' own findings sit beside
them, named after what they found). Deterministic; plain Python, no scapy.

  engine/timejump-autopilot  8-pair table, packet mode, emit refusing every other call: 40
      UDP flows in bursts and singles, times forward, back, identical, 0 and 2^32-1 s, idle
      ticks, drains and a timeout reload, so eviction, retirement and -ENOSPC all happen;
  engine/fragments           IPv4 fragments: first (MF), middle, last, and an orphan;
  parse/*                    one frame per link type family, one cut short;
  conf/minimal               a small valid config.
"""
import os
import struct
import sys

ETH, SLL2, RAW = 0, 9, 5   # indexes into fuzz_linktypes[] (tests/fuzz/fuzz.h)


def ipv4(src, dst, proto, payload, ident=1, frag=0):
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0,
                      bytes(src), bytes(dst))
    return hdr + payload


def udp(sport, dport, data=b"x"):
    return struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data


def tcp(sport, dport, flags, win):
    return struct.pack(">HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags, win, 0, 0)


def eth(l3, vlan=None):
    mac = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02"
    if vlan is not None:
        return mac + struct.pack(">HHH", 0x8100, vlan, 0x0800) + l3
    return mac + struct.pack(">H", 0x0800) + l3


def op(ctl, frame=None, delta=None, abs_ts=None, reload=None):
    b = bytes([ctl])
    if delta is not None:
        b += struct.pack("<H", delta)
    if abs_ts is not None:
        b += struct.pack("<II", *abs_ts)
    if reload is not None:
        b += bytes([reload])
    if frame is not None:
        b += struct.pack("<H", len(frame)) + frame
    return b


def timejump_autopilot():
    b = bytes([ETH, 0x04, 0xaa, 0x09])
    b += op(2, eth(ipv4([10, 0, 0, 1], [10, 0, 0, 2], 6, tcp(40000, 80, 0x02, 0))),
            abs_ts=(1000, 999999))
    for i in range(40):
        frame = eth(ipv4([10, 0, 1, i], [10, 0, 2, 1], 17, udp(1000 + i, 53)), vlan=i % 3)
        kind = i % 5
        if kind == 0:
            b += op(1 | 0x10, frame, delta=500)                  # forward 500 us, burst
        elif kind == 1:
            b += op(3 | 1 << 2 | 0x10, frame, delta=3)           # back 3 ms, burst
        elif kind == 2:
            b += op(0 | 0x20, frame)                             # same time, drain
        elif kind == 3:
            b += op(1 | 2 << 2, frame, delta=200)                # forward 200 s
        else:
            b += op(2 | 0x80, frame, abs_ts=(0 if i < 20 else 0xffffffff, 5), reload=i & 7)
    b += op(1 | 3 << 2 | 0x40, delta=10)                         # idle tick, +640 s
    b += op(3 | 2 << 2, eth(ipv4([10, 0, 0, 2], [10, 0, 0, 1], 6, tcp(80, 40000, 0x12, 0))),
            delta=1)
    return b


def fragments():
    src, dst = [192, 168, 0, 1], [192, 168, 0, 2]
    body = udp(5000, 6000, b"a" * 24)
    b = bytes([ETH, 0x05, 0x00, 0x01])
    b += op(2, eth(ipv4(src, dst, 17, body[:16], ident=7, frag=0x2000)), abs_ts=(50, 0))
    b += op(1, eth(ipv4(src, dst, 17, body[16:24], ident=7, frag=0x2002)), delta=10)
    b += op(1, eth(ipv4(src, dst, 17, body[24:], ident=7, frag=0x0003)), delta=10)
    b += op(1, eth(ipv4(src, dst, 17, b"zz", ident=9, frag=0x0004)), delta=10)  # orphan
    return b


def parse_inputs():
    frame = eth(ipv4([1, 2, 3, 4], [5, 6, 7, 8], 6, tcp(1234, 443, 0x10, 0)), vlan=7)
    sll2 = struct.pack(">HHIHHBB8s", 0x86dd, 0, 1, 1, 0, 0, 6, b"\x02" * 8)
    ipv6 = struct.pack(">IHBB16s16s", 6 << 28, 20, 6, 64, b"\x20" * 16, b"\x30" * 16)
    return {
        "eth-vlan-ipv4-tcp": bytes([ETH]) + frame,
        "sll2-ipv6-cut": bytes([SLL2]) + sll2 + ipv6 + tcp(1, 2, 0x02, 0)[:10],
        "raw-ipv4-udp": bytes([RAW]) + ipv4([9, 9, 9, 9], [8, 8, 8, 8], 17, udp(53, 53)),
    }


def main(root):
    files = {
        "engine/timejump-autopilot": timejump_autopilot(),
        "engine/fragments": fragments(),
        "conf/minimal": b'flow_table = { pairs = 64; };\ntimeouts = { tmt_est_s = 2; };\n',
    }
    files.update({"parse/" + k: v for k, v in parse_inputs().items()})
    for name, data in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                            "regress"))
