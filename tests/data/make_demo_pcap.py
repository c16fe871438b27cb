#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Generate tests/data/demo.pcap, the capture the README's first command replays.

It rebuilds the two stories of the Tranalyzer tcpWinTMT tutorial (T2-SEMANTICS §7.2) on the
tutorial's addresses and times, plus a little UDP, ICMP and ARP so the report shows every
kind of packet:
  * port 49330: a connection whose second zero window (packet 5) aborts the pair; the next
    packet 0.67 s later starts a new flow index; a final RST with window 0 is a lone flow;
  * port 1379: a connection split into four pairs by idle gaps longer than TMT_EST, the
    third starting with a FIN/ACK from the server (so the server side is B).
Deterministic: run it again and the file is byte-identical. Needs python3-scapy.
"""
import sys

from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, Raw, wrpcap

PC105, GW = "00:08:74:38:01:b4", "00:19:e3:e7:5d:23"
PC104 = "00:0b:db:4f:6b:10"
pkts = []


def tcp(t, smac, dmac, src, dst, sport, dport, flags, win, payload=b""):
    p = (Ether(src=smac, dst=dmac) / IP(src=src, dst=dst, id=len(pkts) + 1) /
         TCP(sport=sport, dport=dport, flags=flags, window=win, seq=1000 + len(pkts)))
    if payload:
        p = p / Raw(payload)
    p.time = t
    pkts.append(p)


def story_1379():
    a, b = ("192.168.1.104", 1379), ("63.245.221.11", 80)
    up = lambda t, f, w=64240, pl=b"": tcp(t, PC104, GW, a[0], b[0], a[1], b[1], f, w, pl)
    dn = lambda t, f, w=5840, pl=b"": tcp(t, GW, PC104, b[0], a[0], b[1], a[1], f, w, pl)
    up(1258562467.749142, "S")                      # pair 10: handshake, both BGN
    dn(1258562467.754689, "SA")
    up(1258562467.755000, "A")
    up(1258562467.756000, "PA", pl=b"GET / HTTP/1.1\r\nHost: mozilla\r\n\r\n")
    dn(1258562467.761692, "PA", pl=b"HTTP/1.1 200 OK\r\n\r\n")
    up(1258562467.900050, "A")
    up(1258562477.713894, "PA", pl=b"GET /a HTTP/1.1\r\n\r\n")   # pair 11: 9.8 s later
    dn(1258562477.772691, "PA", pl=b"HTTP/1.1 200 OK\r\n\r\n")
    dn(1258562478.454017, "A")
    up(1258562478.454425, "A")
    dn(1258562501.432305, "FA")                     # pair 13: server FIN first -> B
    up(1258562501.432514, "A")
    up(1258562509.633370, "FA")                     # pair 16
    dn(1258562509.653962, "A")


def story_49330():
    pc, dell = ("192.168.1.105", 49330), ("143.166.11.10", 64334)
    out = lambda t, f, w, pl=b"": tcp(t, PC105, GW, pc[0], dell[0], pc[1], dell[1], f, w, pl)
    inn = lambda t, f, w, pl=b"": tcp(t, GW, PC105, dell[0], pc[0], dell[1], pc[1], f, w, pl)
    out(1258594163.408285, "S", 8192)               # flow 44
    inn(1258594163.487027, "SA", 64860)
    out(1258594163.487500, "A", 2760)
    inn(1258594164.283560, "PA", 64860, b"x" * 1200)
    inn(1258594164.283567, "PA", 64860, b"y" * 1200)   # 1418
    out(1258594164.283986, "A", 2760)                  # 1419
    out(1258594164.283988, "A", 0)                     # 1420: first zero window
    inn(1258594164.647545, "PA", 64860, b"z")          # 1421
    out(1258594164.647755, "A", 0)                     # 1422: second -> abort, 1 ms
    inn(1258594165.318635, "A", 64860, b"z")           # 1423: flow 45
    out(1258594165.319087, "A", 0)                     # 1424
    out(1258594165.848253, "A", 22080)                 # 1425
    out(1258594165.848753, "A", 64860)                 # 1426
    inn(1258594166.300000, "PA", 64860, b"w" * 100)
    out(1258594166.300500, "A", 64860)
    inn(1258594185.427000, "PA", 64860, b"v" * 10)     # within 1 s chains up to the FIN
    out(1258594185.427968, "A", 64860)
    inn(1258594185.427506, "FA", 64860)
    out(1258594191.015208, "RA", 0)                    # flow 47: lone RST, window 0


def extras():
    t0 = 1258594200.0
    u = Ether(src=PC105, dst=GW) / IP(src="192.168.1.105", dst="8.8.8.8") / UDP(
        sport=53000, dport=53) / Raw(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00")
    r = Ether(src=GW, dst=PC105) / IP(src="8.8.8.8", dst="192.168.1.105") / UDP(
        sport=53, dport=53000) / Raw(b"\x12\x34\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00")
    i = Ether(src=PC105, dst=GW) / IP(src="192.168.1.105", dst="8.8.8.8") / ICMP()
    arp = Ether(src=PC105, dst="ff:ff:ff:ff:ff:ff") / ARP(psrc="192.168.1.105",
                                                          pdst="192.168.1.1")
    for k, p in enumerate((u, r, i, arp)):
        p.time = t0 + k * 0.01
        pkts.append(p)


story_1379()
story_49330()
extras()
pkts.sort(key=lambda p: p.time)
wrpcap(sys.argv[1] if len(sys.argv) > 1 else "demo.pcap", pkts)
