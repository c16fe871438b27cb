#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpora of the fuzz targets (tests/fuzz/) from captures and config files.

  fuzz-seeds.py OUTDIR [--conf FILE_OR_DIR]... CAPTURE_OR_DIR...

OUTDIR/engine gets, per capture, up to 4 inputs of fuzz_engine (its packets in order, each
with its time as a delta from the one before where that is exact, in the input format of
tests/fuzz/fuzz_engine.c); OUTDIR/parse gets up to 64 distinct frames per capture as
fuzz_parse inputs; OUTDIR/conf gets the config files as they are. Reads classic pcap (either
byte order, micro- or nanosecond) and pcapng without any library, so broken captures give
what can be read of them. Seeds are build output: they are never committed.
"""
import hashlib
import os
import struct
import sys

# Must match fuzz_linktypes[] in tests/fuzz/fuzz.h; anything else maps to the last entry.
LINKTYPES = [1, 0, 108, 12, 14, 101, 228, 229, 113, 276, 9, 50, 147]
ENGINE_BYTES = 4000     # per engine input: fits -max_len=4096 (scripts/fuzz.sh); runs fast
ENGINE_INPUTS = 4       # per capture
PARSE_FRAMES = 64       # per capture
PARSE_SNAP = 2048


def read_pcap(data):
    """(linktype, [(sec, usec, frame)]) of a classic pcap, as far as it parses."""
    magic = data[:4]
    for endian, nsec in (("<", False), (">", False)):
        m = struct.unpack(endian + "I", magic)[0]
        if m in (0xa1b2c3d4, 0xa1b23c4d):
            nsec = m == 0xa1b23c4d
            break
    else:
        return None, []
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0xffff
    pkts, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        frame = data[off:off + incl]
        off += incl
        pkts.append((sec, frac // 1000 if nsec else frac, frame))
    return linktype, pkts


def _tsresol(opts, endian):
    """Ticks per second from an IDB's options (if_tsresol, code 9); default microseconds."""
    off = 0
    while off + 4 <= len(opts):
        code, length = struct.unpack(endian + "HH", opts[off:off + 4])
        if code == 0:
            break
        if code == 9 and length >= 1:
            r = opts[off + 4]
            return 2 ** (r & 0x7f) if r & 0x80 else 10 ** r
        off += 4 + (length + 3) // 4 * 4
    return 1000000


def read_pcapng(data):
    """(linktype of the first interface, [(sec, usec, frame)]) of a pcapng file."""
    if data[:4] != b"\x0a\x0d\x0d\x0a" or len(data) < 12:
        return None, []
    endian = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    ifaces, pkts, off = [], [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack(endian + "II", data[off:off + 8])
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 0x0a0d0d0a:
            endian = "<" if body[:4] == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        elif btype == 1 and len(body) >= 8:
            ifaces.append((struct.unpack(endian + "H", body[:2])[0], _tsresol(body[8:], endian)))
        elif btype in (6, 2) and len(body) >= 20 and ifaces:
            iface = struct.unpack(endian + ("I" if btype == 6 else "H"), body[:4 if btype == 6 else 2])[0]
            hi, lo, cap = struct.unpack(endian + "III", body[4:16])
            res = ifaces[iface][1] if iface < len(ifaces) else 1000000
            ticks = hi << 32 | lo
            us = ticks * 1000000 // res
            pkts.append((us // 1000000 & 0xffffffff, us % 1000000, body[20:20 + cap]))
        elif btype == 3 and len(body) >= 4 and ifaces:
            pkts.append((0, 0, body[4:]))
        off += blen
    return (ifaces[0][0] if ifaces else None), pkts


def read_capture(path):
    with open(path, "rb") as f:
        data = f.read()
    linktype, pkts = read_pcap(data)
    if linktype is None:
        linktype, pkts = read_pcapng(data)
    return linktype, pkts


def lt_index(linktype):
    return LINKTYPES.index(linktype) if linktype in LINKTYPES else len(LINKTYPES) - 1


def time_op(prev_us, us):
    """ctl time bits and the bytes that follow, for a packet at @us after one at @prev_us."""
    if prev_us is not None and us == prev_us:
        return 0, b""
    if prev_us is not None and 0 < us - prev_us < 65536:
        return 1, struct.pack("<H", us - prev_us)
    if prev_us is not None and 0 < us - prev_us < 65536 * 1000 and (us - prev_us) % 1000 == 0:
        return 1 | 1 << 2, struct.pack("<H", (us - prev_us) // 1000)
    return 2, struct.pack("<II", us // 1000000, us % 1000000)


def engine_inputs(linktype, pkts):
    """Split the packets into up to ENGINE_INPUTS inputs of about ENGINE_BYTES each; the
    header varies (table size, packet mode, refusals, bursts) so the seeds differ in more
    than their packets."""
    out, i = [], 0
    while i < len(pkts) and len(out) < ENGINE_INPUTS:
        n = len(out)
        table = (n & 3) | (0x04 if n == 1 else 0)
        buf = bytearray([lt_index(linktype), table, 0x00 if n < 2 else 0x55, 0x01 | 1 << 3])
        prev = None
        while i < len(pkts) and len(buf) < ENGINE_BYTES:
            sec, usec, frame = pkts[i]
            us = sec * 1000000 + min(usec, 999999)
            ctl, t = time_op(prev, us)
            ctl |= 0x10 if n == 3 else 0        # the last input goes through bursts
            frame = frame[:65535]
            buf += bytes([ctl]) + t + struct.pack("<H", len(frame)) + frame
            prev = us
            i += 1
        out.append(bytes(buf))
    return out


def write(dirpath, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(dirpath, name), "wb") as f:
        f.write(data)


def files_of(arg):
    if os.path.isdir(arg):
        return sorted(os.path.join(arg, n) for n in os.listdir(arg)
                      if os.path.isfile(os.path.join(arg, n)))
    return [arg]


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    out, args, confs = argv[1], [], []
    it = iter(argv[2:])
    for a in it:
        (confs if a == "--conf" else args).append(next(it) if a == "--conf" else a)
    dirs = {t: os.path.join(out, t) for t in ("engine", "parse", "conf")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    ncap = nframes = 0
    for path in (p for a in args for p in files_of(a)):
        linktype, pkts = read_capture(path)
        if linktype is None or not pkts:
            continue
        ncap += 1
        for data in engine_inputs(linktype, pkts):
            write(dirs["engine"], data)
        seen = set()
        for _, _, frame in pkts:
            frame = frame[:PARSE_SNAP]
            if frame not in seen and len(seen) < PARSE_FRAMES:
                seen.add(frame)
                write(dirs["parse"], bytes([lt_index(linktype)]) + frame)
        nframes += len(seen)
    for path in (p for a in confs for p in files_of(a)):
        with open(path, "rb") as f:
            write(dirs["conf"], f.read())
    print("seeds: %d captures -> %d engine, %d parse; %d conf" % (
        ncap, len(os.listdir(dirs["engine"])), len(os.listdir(dirs["parse"])),
        len(os.listdir(dirs["conf"]))))


if __name__ == "__main__":
    main(sys.argv)
