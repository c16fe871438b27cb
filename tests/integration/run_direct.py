#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""-R (the file read in place) gives exactly what -r (through net_pcap) gives.

For every capture in ../shared/pcaps/SET (SET: real or malformed), the daemon runs with
-r and with -R, in packet mode (-s): the exit status, the flow file, the packet file, the
end report (but for its PID line, and for a damaged capture net_pcap's receive error
count) and the message about a damaged capture must be equal.
For the real captures, both also run with 2 RX lcores (software distribution, which hands
-R's records over as file offsets): the same flow lines, in any order, and the same report.
A capture with frames above 64 KiB is the exception: net_pcap cuts them (to their length
modulo 65536), -R does not, and its byte count must be the file's.
A file -R does not read in place (pcapng, other versions, unsupported link types) must be
refused at start-up with a message that points to -r.
Usage: run_direct.py DAEMON OUTDIR SET [SHARED]. Exits 77 (skipped) without ../shared.
"""
import concurrent.futures
import os
import shutil
import struct
import subprocess
import sys

TIMEOUT_S = 120
MAGICS = {0xa1b2c3d4, 0xa1b23c4d}  # us, ns (either byte order)
LINKTYPES = {0, 1, 9, 12, 14, 50, 101, 108, 113, 228, 229, 276}  # parse.h TCPW_DLT_*


def classic(path):
    """A classic pcap 2.4 file of a link type the engine parses."""
    with open(path, "rb") as f:
        h = f.read(24)
    if len(h) < 24:
        return False
    for end in "<>":
        magic, major, minor = struct.unpack(end + "IHH", h[:8])
        if magic in MAGICS:
            return (major, minor) == (2, 4) and \
                struct.unpack(end + "I", h[20:24])[0] & 0x03FFFFFF in LINKTYPES
    return False


def records(path):
    """(bytes as libpcap delivers them, largest caplen) over the records libpcap reads."""
    with open(path, "rb") as f:
        data = f.read()
    end = "<" if struct.unpack("<I", data[:4])[0] in MAGICS else ">"
    snaplen = struct.unpack(end + "I", data[16:20])[0]
    if snaplen == 0 or snaplen > 262144:
        snaplen = 262144  # libpcap's replacement for an unusable snapshot length
    off, total, biggest = 24, 0, 0
    while len(data) - off >= 16:
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        if caplen > 262144 or len(data) - off - 16 < caplen:
            break
        total += min(caplen, snaplen)
        biggest = max(biggest, caplen)
        off += 16 + caplen
    return total, biggest


def run(daemon, mode, pcap, out, cores):
    os.makedirs(out, exist_ok=True)
    args = [daemon, mode, pcap, "-w", out]
    if cores == 1:
        args.append("-s")
    else:
        conf = os.path.join(out, "rx.conf")
        with open(conf, "w") as f:
            f.write("rx = { cores = %d; };\n" % cores)
        args += ["-c", conf]
    try:
        p = subprocess.run(args, capture_output=True, text=True, errors="replace",
                           timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None
    # net_pcap counts its read of the damage in a damaged file as a receive error, when a
    # poll got that far (it depends on where the burst ended); -R has no driver
    report = [l for l in p.stdout.splitlines() if " PID: " not in l and
              not (p.returncode == 3 and "driver receive errors:" in l)]
    files = {}
    for name in sorted(os.listdir(out)):
        if name.endswith(".txt"):
            with open(os.path.join(out, name), "rb") as f:
                data = f.read()
            files[name] = data if cores == 1 else sorted(data.splitlines())
    damage = [l for l in p.stderr.splitlines() if "damaged or cut short" in l]
    return p.returncode, report, files, damage, p.stderr


def check(daemon, pcap, outdir, set_name):
    name = os.path.basename(pcap)
    base = os.path.join(outdir, name)
    if not classic(pcap):
        r = run(daemon, "-R", pcap, os.path.join(base, "R"), 1)
        if r is None:
            return name, "-R hung on a file it should refuse"
        if r[0] != 1 or ("read it with -r" not in r[4] and
                         "capture file libpcap can read" not in r[4] and
                         "empty (0 bytes)" not in r[4]):
            return name, "-R on a file it does not read in place: exit %d: %s" % (
                r[0], r[4].strip()[-300:])
        return name, None
    total, biggest = records(pcap)
    for cores in ((1, 2) if set_name == "real" else (1,)):
        a = run(daemon, "-r", pcap, os.path.join(base, "r%d" % cores), cores)
        b = run(daemon, "-R", pcap, os.path.join(base, "R%d" % cores), cores)
        if a is None or b is None:
            return name, "hung with %d lcore(s) (%s)" % (cores, "-r" if a is None else "-R")
        if biggest > 65535:
            # net_pcap (22.11) cuts a frame above 64 KiB to its length modulo 65536;
            # -R reads it whole, as Tranalyzer does: the byte counts differ, and -R's
            # must be the file's; all else must be equal
            got = [l for l in b[1] if l.startswith("Number of processed bytes: ")]
            if len(got) != 1 or not got[0].startswith("Number of processed bytes: %d " %
                                                      total):
                return name, "-R processed bytes %r, the file holds %d" % (got, total)
            same = [(x[0], [l for l in x[1] if "bytes" not in l],
                     {k: len(v.splitlines()) if isinstance(v, bytes) else len(v)
                      for k, v in x[2].items()}) for x in (a, b)]
            if same[0] != same[1]:
                return name, "-r and -R differ beyond the byte counts with %d lcore(s)" % cores
            continue
        for what, i in (("exit status", 0), ("end report", 1), ("output files", 2),
                        ("damage message", 3)):
            if a[i] != b[i]:
                return name, "%s differs with %d lcore(s): -r %r, -R %r" % (
                    what, cores, str(a[i])[:300], str(b[i])[:300])
        if a[0] not in (0, 3):
            return name, "exit %d: %s" % (a[0], a[4].strip()[-300:])
    shutil.rmtree(base, ignore_errors=True)
    return name, None


def main():
    daemon, outdir, set_name = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(outdir, ignore_errors=True)  # a run starts from nothing
    shared = sys.argv[4] if len(sys.argv) > 4 else os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared")
    src = os.path.join(shared, "pcaps", set_name)
    if not os.path.isdir(src):
        print("SKIP: integration.direct_%s: %s not found (needs ../shared)" % (set_name, src))
        return 77
    files = sorted(os.path.join(src, f) for f in os.listdir(src) if not f.endswith(".csv"))
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as ex:
        for name, problem in ex.map(lambda f: check(daemon, f, outdir, set_name), files):
            if problem:
                failed += 1
                print("FAIL %s: %s" % (name, problem))
    in_place = sum(1 for f in files if classic(f))
    print("%d captures (%d read in place by -R, %d refused with a pointer to -r): "
          "%d passed, %d failed" % (len(files), in_place, len(files) - in_place,
                                    len(files) - failed, failed))
    return 1 if failed else 0 if in_place > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
