#!/usr/bin/python3
"""Give each connection of a benchmark capture a host of its own.

make_capture.sh repeats echo-connections, whose 500 TCP connections all run between
127.0.0.1 and 127.0.0.1: one host pair, so software distribution (which hashes the IP
addresses only) puts every flow on one RX lcore. This rewrites, in every IPv4 TCP or UDP
packet of an Ethernet capture, the client's address (the end whose port is not the
server's: echo-connections' 7000 by default) to 10.P.Q.1 where P.Q is the client's port, and the server's to
10.255.255.254. Checksums are left as they are (nothing on the benchmark path checks
them); packets, times and sizes are unchanged.

Usage: spread_hosts.py IN.pcap OUT.pcap [SERVER_PORT]
"""
import struct
import sys

SERVER_IP = bytes([10, 255, 255, 254])


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip())
    server_port = int(sys.argv[3]) if len(sys.argv) == 4 else 7000
    data = bytearray(open(sys.argv[1], "rb").read())
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("%s: not a little-endian classic pcap file" % sys.argv[1])
    if struct.unpack_from("<I", data, 20)[0] != 1:
        sys.exit("%s: not Ethernet" % sys.argv[1])
    off, rewritten, packets = 24, 0, 0
    while off + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        f = off + 16
        off = f + caplen
        packets += 1
        if caplen < 38 or data[f + 12:f + 14] != b"\x08\x00" or data[f + 14] >> 4 != 4:
            continue
        ip = f + 14
        l4 = ip + (data[ip] & 0x0F) * 4
        if data[ip + 9] not in (6, 17) or l4 + 4 > off:
            continue
        sport, dport = struct.unpack_from(">HH", data, l4)
        if dport == server_port:
            client, server, port = ip + 12, ip + 16, sport
        elif sport == server_port:
            client, server, port = ip + 16, ip + 12, dport
        else:
            continue
        data[client:client + 4] = bytes([10, port >> 8, port & 0xFF, 1])
        data[server:server + 4] = SERVER_IP
        rewritten += 1
    open(sys.argv[2], "wb").write(data)
    print("%s: %d of %d packets given a client host of their own" %
          (sys.argv[2], rewritten, packets))


if __name__ == "__main__":
    main()
