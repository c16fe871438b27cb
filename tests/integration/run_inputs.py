#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Inputs that must give a clear message and a defined exit status, never a crash:

  1. command line: unknown options, a missing argument, a bad EAL number, conflicting or
     extra arguments (exit 1, the message names the problem);
  2. config file: missing, a directory, unreadable by the daemon's user (exit 1; malformed
     contents are integration.config's job);
  3. captures, all made here in a temporary directory: missing, a directory, empty, not a
     capture, cut inside the file header (exit 1); only a file header (exit 0, zero
     packets, a flow file with its header row); cut inside a record header or inside the
     packet data (exit 3, "damaged or cut short after N packets", those N written); pcapng
     with unknown, custom, name-resolution, statistics and secrets blocks (exit 0, the same
     flow lines as the plain pcap); pcapng with two interfaces of one link type (exit 0)
     and of different link types (exit 1, "different link types"); link types the daemon
     does not decode, USER0 (147) and IEEE802_11 (105) (exit 0, each packet counted under
     "unsupported link type", the end report names the DLT); a file cut while -R reads it
     (exit 3, "the file was cut to N bytes while it was read", the packets before the cut
     written; it would otherwise end with SIGBUS and lose every flow in memory); 20,000
     packets through 8 RX lcores with capture.mbufs = 1023, every one received; a run the
     stall watch ends short of its file exits 1 and says how many packets were left;
  4. output files: a symbolic link planted at the flow file's name is refused and its
     target untouched (exit 1); a world-writable -w directory is refused (exit 1); files
     are created 0640 (0600 with output.file_mode), a created directory 0750, whatever the
     umask; a second run into the same directory keeps the first run's file under a closed
     name;
  5. runtime directories: a daemon killed with SIGKILL leaves /var/run/dpdk/tcpwintmtd-PID;
     the next start removes it, and any other whose PID is gone and whose config file is
     10 s old and unlocked, and keeps every other one (a live PID, a locked, fresh or
     missing config, another name, a symbolic link and what it points to).
Every run must end by itself, with no sanitizer report, and the packets must add up
(integration accounting). Usage: run_inputs.py DAEMON OUTDIR. Parts that need root report
SKIP with their name.
"""
import fcntl
import glob
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accounting  # noqa: E402

TIMEOUT_S = 60
SANITIZER = re.compile(r"AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|LeakSanitizer")
results = []


def check(ok, what, detail=""):
    results.append(bool(ok))
    print("%s %s" % ("ok  " if ok else "FAIL", what))
    if not ok and detail:
        print("     " + detail.strip().replace("\n", "\n     ")[-1500:])


# ---- captures, written by hand (no scapy needed) ----------------------------------------

def ip_checksum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def tcp_frame(i, sport=40000, dport=80, flags=0x02):
    """Ethernet + IPv4 + TCP (no payload) from 10.0.0.1 to 10.0.0.2; 54 bytes."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000 + i, 0, 5 << 4, flags, 8192, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i, 0, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    eth = bytes.fromhex("020000000002" "020000000001") + struct.pack("!H", 0x0800)
    return eth + ip + tcp


FRAMES = [tcp_frame(0, flags=0x02), tcp_frame(1, flags=0x10), tcp_frame(2, flags=0x11)]
MANY = 20000  # one-packet connections: more than a small pool can hold in flight
T0 = 1700000000


def pcap(frames, linktype=1, snaplen=65535):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", T0, 1000 * i, len(f), len(f)) + f  # 1 ms apart
    return out


def jumbo_pcap():
    """FRAMES with a 70,000-byte frame of the same connection second (its IP packet as short
    as the others, the rest trailing zeros), in a file whose snaplen (262144) lets libpcap
    read it whole."""
    frames = [FRAMES[0], tcp_frame(3, flags=0x10) + bytes(70000 - len(FRAMES[0]))] + FRAMES[1:]
    return pcap(frames, snaplen=262144)


def ng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def pcapng(parts):
    return ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)) + b"".join(parts)


def ng_idb(linktype):
    return ng_block(1, struct.pack("<HHI", linktype, 0, 65535))


def ng_epb(ifid, i, frame):
    us = T0 * 1000000 + 1000 * i
    return ng_block(6, struct.pack("<IIIII", ifid, us >> 32, us & 0xFFFFFFFF, len(frame),
                                   len(frame)) + frame)


def make_captures(d):
    """name -> path of every capture the cases use."""
    whole = pcap(FRAMES)
    rec1_end = 24 + 16 + len(FRAMES[0])
    rec2_end = rec1_end + 16 + len(FRAMES[1])
    odd = [
        ng_block(0x00000BAD, struct.pack("<I", 32473) + b"custom, copyable"),   # custom
        ng_block(0x40000BAD, struct.pack("<I", 32473) + b"custom, do not copy"),
        ng_block(0x0000ABCD, b"a block type nobody defined"),                 # unknown
        ng_block(0x00000004, struct.pack("<HH", 0, 0)),                        # NRB, empty
        ng_block(0x0000000A, struct.pack("<II", 0x544C534B, 4) + b"keys"),     # secrets
        ng_block(0x00000005, struct.pack("<III", 0, 0, 0)),                    # ISB
    ]
    files = {
        "good.pcap": whole,
        "empty.pcap": b"",
        "text.pcap": b"this is not a capture file at all, just some text\n" * 4,
        "cut_in_file_header.pcap": whole[:12],
        "header_only.pcap": whole[:24],
        "cut_in_record_header.pcap": whole[:rec2_end + 8],
        "cut_in_packet.pcap": whole[:rec2_end + 16 + 20],
        "odd_blocks.pcapng": pcapng([ng_idb(1), odd[0], ng_epb(0, 0, FRAMES[0]), odd[1],
                                     odd[2], ng_epb(0, 1, FRAMES[1]), odd[3], odd[4],
                                     ng_epb(0, 2, FRAMES[2]), odd[5]]),
        "two_ifaces_same.pcapng": pcapng([ng_idb(1), ng_idb(1), ng_epb(0, 0, FRAMES[0]),
                                          ng_epb(1, 1, FRAMES[1]), ng_epb(0, 2, FRAMES[2])]),
        "two_linktypes.pcapng": pcapng([ng_idb(1), ng_idb(101), ng_epb(0, 0, FRAMES[0]),
                                        ng_epb(1, 1, FRAMES[1][14:]),
                                        ng_epb(0, 2, FRAMES[2])]),
        "jumbo.pcap": jumbo_pcap(),
        "many_flows.pcap": pcap([tcp_frame(i, sport=1024 + i) for i in range(MANY)]),
        "user0.pcap": pcap(FRAMES, linktype=147),
        "wifi.pcap": pcap(FRAMES, linktype=105),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = os.path.join(d, name)
        with open(paths[name], "wb") as f:
            f.write(data)
    os.makedirs(os.path.join(d, "a_directory.pcap"))
    paths["a_directory.pcap"] = os.path.join(d, "a_directory.pcap")
    paths["missing.pcap"] = os.path.join(d, "missing.pcap")
    return paths


# ---- running the daemon -------------------------------------------------------------------

def run(cmd, as_nobody=False, umask=None):
    if as_nobody:
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd
    old = os.umask(umask) if umask is not None else None
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                           timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None
    finally:
        if old is not None:
            os.umask(old)
    return p


def expect(p, code, needle, what):
    """Exit status @code, @needle in stderr, no sanitizer report; returns success."""
    if p is None:
        check(False, what, "hung (no exit within %d s)" % TIMEOUT_S)
        return False
    ok = p.returncode == code and needle in p.stderr and not SANITIZER.search(p.stderr)
    check(ok, "%s: exit %d, %r" % (what, code, needle),
          "got exit %d\nstderr: %s" % (p.returncode, p.stderr))
    return ok


def flow_lines(path):
    with open(path) as f:
        lines = f.read().splitlines()
    return lines[0], lines[1:]


def report_value(report, label):
    m = re.search(r"^  %s:\s+(\d+)$" % re.escape(label), report, re.M)
    return int(m.group(1)) if m else None


# ---- 1. command line ----------------------------------------------------------------------

def command_line(daemon, caps, out):
    good = caps["good.pcap"]
    eal = ["--no-huge", "--no-pci", "-m", "256", "--file-prefix=tcpw-inputs-%d" % os.getpid()]
    cases = [
        (["-x"], 1, "invalid option -- 'x'", "unknown option"),
        (["--bogus"], 1, "unrecognized option '--bogus'", "unknown long option"),
        (["-r"], 1, "option requires an argument -- 'r'", "missing argument"),
        (["-r", good, "-w"], 1, "option requires an argument -- 'w'", "missing argument last"),
        (["-r", good, "-i", "net_null0", "-w", out], 1, "exclude each other", "-r and -i"),
        (["-r", good, "-w", out, "extra"], 1, "unexpected argument 'extra'", "extra argument"),
        (["-w", out], 1, "give -r FILE or -i DEVICE", "no input"),
        (["-l", "abc"] + eal + ["--", "-r", good, "-w", out], 1,
         "DPDK EAL initialisation failed", "bad number in an EAL option (-l abc)"),
    ]
    for args, code, needle, what in cases:
        p = run([daemon] + args)
        if expect(p, code, needle, "command line: " + what) and "option" in needle:
            check("Usage:" in p.stderr, "command line: %s prints the usage" % what)
    for ch in ",=":  # net_pcap's device argument cannot carry either ('=' cut the path)
        odd = os.path.join(os.path.dirname(good), "odd%sname.pcap" % ch)
        shutil.copy(good, odd)
        expect(run([daemon, "-r", odd, "-w", out]), 1,
               "contains '%s', which DPDK device arguments cannot carry" % ch,
               "command line: a capture path with '%s'" % ch)
    p = run([daemon, "--help"])
    check(p.returncode == 0 and "Usage:" in p.stdout, "command line: --help exits 0")
    p = run([daemon, "--version"])
    check(p.returncode == 0 and p.stdout.startswith("tcpwintmtd "),
          "command line: --version exits 0")


# ---- 2. config file -----------------------------------------------------------------------

def config_file(daemon, caps, work):
    good, out = caps["good.pcap"], os.path.join(work, "out_conf")
    missing = os.path.join(work, "missing.conf")
    p = run([daemon, "-c", missing, "-r", good, "-w", out])
    expect(p, 1, "cannot open config file %s: No such file or directory" % missing,
           "config: missing file")
    p = run([daemon, "-c", work, "-r", good, "-w", out])
    expect(p, 1, "cannot open config file %s: Is a directory" % work, "config: a directory")
    unreadable = os.path.join(work, "unreadable.conf")
    with open(unreadable, "w") as f:
        f.write("output = { gzip = false; };\n")
    os.chmod(unreadable, 0o200)
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        print("SKIP config: unreadable file: needs root and setpriv")
        return
    p = run([daemon, "-c", unreadable, "-r", good, "-w", out], as_nobody=True)
    expect(p, 1, "cannot open config file %s: Permission denied" % unreadable,
           "config: unreadable by the daemon's user")
    check(not os.path.exists(out), "config: nothing written when the config is refused")


# ---- 3. captures --------------------------------------------------------------------------

def capture_run(daemon, caps, work, name, conf=None):
    out = os.path.join(work, "out_" + name.replace(".", "_"))
    shutil.rmtree(out, ignore_errors=True)
    cmd = [daemon, "-r", caps[name], "-w", out]
    if conf is not None:
        path = os.path.join(work, name + ".conf")
        with open(path, "w") as f:
            f.write(conf)
        cmd += ["-c", path]
    return run(cmd), out


def flows_of(out, name):
    stem = os.path.splitext(name)[0]
    return os.path.join(out, stem + "_flows.txt")


def captures_refused(daemon, caps, work):
    cases = [
        ("missing.pcap", "cannot read capture %s: No such file" % caps["missing.pcap"]),
        ("a_directory.pcap", "is not a regular file"),
        ("empty.pcap", "capture %s is empty (0 bytes)" % caps["empty.pcap"]),
        ("text.pcap", "%s is not a capture file libpcap can read" % caps["text.pcap"]),
        ("cut_in_file_header.pcap", "is not a capture file libpcap can read: truncated"),
        ("two_linktypes.pcapng", "has pcapng interfaces of different link types"),
    ]
    for name, needle in cases:
        p, out = capture_run(daemon, caps, work, name)
        expect(p, 1, needle, "capture %s refused" % name)
        check(not os.path.exists(flows_of(out, name)), "capture %s: no flow file" % name)


def captures_read(daemon, caps, work):
    """(exit, packets before the damage, stderr needle) per capture that is read."""
    p, out = capture_run(daemon, caps, work, "good.pcap")
    expect(p, 0, "", "capture good.pcap")
    _, want = flow_lines(flows_of(out, "good.pcap"))
    check(len(want) == 1 and want[0].split("\t")[-2] == "3",
          "capture good.pcap: one flow line of 3 packets", "\n".join(want))
    cases = [
        ("header_only.pcap", 0, 0, ""),
        ("cut_in_record_header.pcap", 3, 2,
         "is damaged or cut short after 2 packets (truncated dump file"),
        ("cut_in_packet.pcap", 3, 2,
         "is damaged or cut short after 2 packets (truncated dump file"),
        ("odd_blocks.pcapng", 0, 3, ""),
        ("two_ifaces_same.pcapng", 0, 3, ""),
    ]
    for name, code, pkts, needle in cases:
        p, out = capture_run(daemon, caps, work, name)
        if not expect(p, code, needle, "capture %s" % name):
            continue
        flows = flows_of(out, name)
        header, lines = flow_lines(flows)
        check(report_value(p.stdout, "packets received") == pkts,
              "capture %s: %d packets received" % (name, pkts), p.stdout[-800:])
        check(header.startswith("%dir\t"), "capture %s: flow file has its header" % name)
        problem = accounting.problem(p.stdout, flows)
        check(problem is None, "capture %s: every packet accounted for" % name, problem or "")
        if pkts == 3:
            check(lines == want, "capture %s: the same flow lines as good.pcap" % name,
                  "\n".join(lines))
        if pkts == 0:
            check(lines == [], "capture %s: no flow lines" % name)


def captures_cut_while_read(daemon, caps, work):
    """-R maps the file before DPDK starts (100 ms and more) and reads it after: cut it as
    soon as the mapping shows in /proc/PID/maps, at a page end, in the middle of the file."""
    cut, path = 16384, os.path.join(work, "captures", "cut_while_read.pcap")
    frames = [tcp_frame(i, sport=40000 + i % 50, flags=0x10) for i in range(1000)]
    with open(path, "wb") as f:
        f.write(pcap(frames))
    before, off = 0, 24
    for fr in frames:  # records whose header lies before the cut are read
        if off + 16 > cut:
            break
        before, off = before + 1, off + 16 + len(fr)
    out = os.path.join(work, "out_cut_while_read")
    proc = subprocess.Popen([daemon, "-R", path, "-w", out], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, errors="replace")
    mapped, deadline = False, time.time() + 10
    while not mapped and proc.poll() is None and time.time() < deadline:
        try:
            with open("/proc/%d/maps" % proc.pid) as m:
                mapped = path in m.read()
        except OSError:
            pass
        if not mapped:
            time.sleep(0.001)
    if mapped:
        os.truncate(path, cut)
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
    check(mapped, "capture cut while -R reads it: cut after the file was mapped")
    p = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    if not expect(p, 3, "is damaged or cut short after %d packets (the file was cut to %d "
                  "bytes while it was read)" % (before, cut), "capture cut while -R reads it"):
        return
    flows = os.path.join(out, "cut_while_read_flows.txt")
    check(report_value(stdout, "packets received") == before,
          "capture cut while -R reads it: %d packets received" % before, stdout[-800:])
    problem = accounting.problem(stdout, flows)
    check(problem is None, "capture cut while -R reads it: every packet accounted for",
          problem or "")


def captures_many_lcores(daemon, caps, work):
    """-r with 8 RX lcores (on this machine's CPUs) and capture.mbufs = 1023: the offline
    pool is sized to what can be in flight, not to capture.mbufs. It was not: the owners'
    rings and caches held every mbuf, net_pcap read each further packet and found no mbuf
    for it, and 18,977 of 20,000 packets were lost ("rx_nombuf") with exit 0."""
    name = "many_flows.pcap"
    p, out = capture_run(daemon, caps, work, name,
                         "rx = { cores = 8; };\ncapture = { mbufs = 1023; };\n")
    if not expect(p, 0, "", "capture %s with 8 RX lcores and 1023 mbufs" % name):
        return
    check(report_value(p.stdout, "packets received") == MANY and
          report_value(p.stdout, "dropped, no mbuf (rx_nombuf)") == 0,
          "capture %s, 8 RX lcores: all %d packets received, none dropped" % (name, MANY),
          p.stdout[-1500:])
    problem = accounting.problem(p.stdout, flows_of(out, name))
    check(problem is None, "capture %s, 8 RX lcores: every packet accounted for" % name,
          problem or "")
    # a run that ends short of its file is no success: the test-only hook stops RX lcore 0
    # at once, and the stall watch ends the run after 10 s (it exited 0)
    os.environ["TCPWINTMTD_TEST_STALL_RX0_S"] = "0"
    try:
        p, out = capture_run(daemon, caps, work, name)
    finally:
        del os.environ["TCPWINTMTD_TEST_STALL_RX0_S"]
    expect(p, 1, "%s: %d of its %d packets were not processed" % (caps[name], MANY, MANY),
           "capture %s: net_pcap stalled from the start" % name)


def captures_unsupported_linktype(daemon, caps, work):
    for name, dlt in (("user0.pcap", 147), ("wifi.pcap", 105)):
        p, out = capture_run(daemon, caps, work, name)
        if not expect(p, 0, "link type %d of %s is not supported" % (dlt, caps[name]),
                      "capture %s (DLT %d)" % (name, dlt)):
            continue
        check(report_value(p.stdout, "unsupported link type") == 3 and
              report_value(p.stdout, "packets received") == 3,
              "capture %s: 3 packets counted under unsupported link type" % name,
              p.stdout[-1200:])
        check("Link layer type: unsupported [DLT %d]" % dlt in p.stdout,
              "capture %s: the end report names DLT %d" % (name, dlt))
        problem = accounting.problem(p.stdout, flows_of(out, name))
        check(problem is None, "capture %s: every packet accounted for" % name, problem or "")


def captures_over_64k(daemon, caps, work):
    """net_pcap (22.11) cuts frames above 65535 bytes: -r says so, with the count and the
    way out; -R reads them whole and has nothing to say; a file without one, neither."""
    warning = "1 frame(s) of %s are longer than 65535 bytes" % caps["jumbo.pcap"]
    p, out = capture_run(daemon, caps, work, "jumbo.pcap")
    if expect(p, 0, warning, "capture jumbo.pcap (-r): the cut frame named"):
        check("-R reads classic pcap files whole" in p.stderr,
              "capture jumbo.pcap (-r): the warning points to -R", p.stderr)
        check(report_value(p.stdout, "packets received") == 4,
              "capture jumbo.pcap (-r): 4 packets received", p.stdout[-800:])
    out = os.path.join(work, "out_jumbo_R")
    p = run([daemon, "-R", caps["jumbo.pcap"], "-w", out])
    if expect(p, 0, "", "capture jumbo.pcap (-R)"):
        check("longer than 65535" not in p.stderr, "capture jumbo.pcap (-R): no warning",
              p.stderr)
        _, lines = flow_lines(flows_of(out, "jumbo.pcap"))
        want = 70000 + 3 * len(FRAMES[0])
        check(len(lines) == 1 and lines[0].split("\t")[-1] == str(want),
              "capture jumbo.pcap (-R): numBytesSnt %d, the frame whole" % want,
              "\n".join(lines))
    p, _ = capture_run(daemon, caps, work, "good.pcap")
    check("longer than 65535" not in p.stderr, "capture good.pcap: no 64 KiB warning",
          p.stderr)


# ---- 4. output files ----------------------------------------------------------------------

def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def output_files(daemon, caps, work):
    good = caps["good.pcap"]
    # a link at the flow file's name
    out = os.path.join(work, "out_link")
    os.makedirs(out)
    victim = os.path.join(work, "victim.txt")
    with open(victim, "w") as f:
        f.write("precious\n")
    os.symlink(victim, os.path.join(out, "good_flows.txt"))
    p = run([daemon, "-r", good, "-w", out])
    expect(p, 1, "refusing to write %s/good_flows.txt: it is a symbolic link" % out,
           "output: a link at the flow file's name")
    with open(victim) as f:
        check(f.read() == "precious\n", "output: the link's target is untouched")
    check(os.path.islink(os.path.join(out, "good_flows.txt")), "output: the link is left")

    # a world-writable directory without the sticky bit
    out = os.path.join(work, "out_world")
    os.makedirs(out)
    os.chmod(out, 0o777)
    p = run([daemon, "-r", good, "-w", out])
    expect(p, 1, "output directory %s: %s is world-writable without the sticky bit" %
           (out, out), "output: world-writable -w directory")
    check(os.listdir(out) == [], "output: nothing written into it")

    # modes whatever the umask; a second run keeps the first run's file
    out = os.path.join(work, "out_modes")  # made by the daemon
    p = run([daemon, "-r", good, "-w", out, "-s"], umask=0)
    if expect(p, 0, "", "output: a run with umask 0"):
        check(mode(out) == 0o750, "output: created directory is 0750 (got %o)" % mode(out))
        names = sorted(os.listdir(out))
        check(names == ["good_flows.txt", "good_packets.txt"] and
              all(mode(os.path.join(out, n)) == 0o640 for n in names),
              "output: files are 0640 under umask 0",
              " ".join("%s %o" % (n, mode(os.path.join(out, n))) for n in names))
    with open(os.path.join(out, "good_flows.txt")) as f:
        first = f.read()
    conf = os.path.join(work, "mode600.conf")
    with open(conf, "w") as f:
        f.write('output = { file_mode = "0600"; };\n')
    p = run([daemon, "-c", conf, "-r", good, "-w", out], umask=0o077)
    if expect(p, 0, "good_flows.txt existed: kept as", "output: second run into the same dir"):
        kept = glob.glob(os.path.join(out, "good_flows-*.txt"))
        check(len(kept) == 1 and open(kept[0]).read() == first,
              "output: the first run's flow file is kept, unchanged", " ".join(kept))
        check(mode(os.path.join(out, "good_flows.txt")) == 0o600,
              "output: output.file_mode 0600 under umask 077")
        check("1 earlier active files kept under a closed name" in p.stdout,
              "output: the end report counts it")


def dead_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def plant_dir(base, name, config, locked, age_s, locks):
    """A runtime directory as EAL leaves it, built aside and renamed into place (a daemon
    starting meanwhile must never see it half made)."""
    tmp = os.path.join(base, ".plant-" + name)
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    with open(os.path.join(tmp, "fbarray_memseg-4k-0-0"), "wb") as f:
        f.write(b"\0" * 4096)
    if config:
        path = os.path.join(tmp, "config")
        f = open(path, "wb+")
        f.write(b"\0" * 4096)
        f.flush()
        if locked:
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 64, 128)
        locks.append(f)
        os.utime(path, (time.time() - age_s, time.time() - age_s))
    shutil.rmtree(os.path.join(base, name), ignore_errors=True)
    os.rename(tmp, os.path.join(base, name))


def killed_daemon(daemon, base, work):
    """A daemon on a null device, killed with SIGKILL once EAL has set up: its directory."""
    p = subprocess.Popen([daemon, "-i", "net_null0", "-w", os.path.join(work, "out_killed")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    config = os.path.join(base, "tcpwintmtd-%d" % p.pid, "config")
    for _ in range(100):
        if os.path.exists(config):
            break
        time.sleep(0.1)
    time.sleep(0.5)
    p.kill()
    p.wait()
    if os.path.exists(config):
        os.utime(config, (time.time() - 60, time.time() - 60))  # as if killed a while ago
    return "tcpwintmtd-%d" % p.pid


def runtime_dirs(daemon, caps, work):
    base = "/var/run/dpdk"
    if os.geteuid() != 0:
        print("SKIP runtime directories: needs root (%s)" % base)
        return
    os.makedirs(base, exist_ok=True)
    a, b, c = dead_pid(), dead_pid(), dead_pid()
    target = os.path.join(work, "link_target")
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "keep"), "w") as f:
        f.write("mine\n")
    dirs = {  # name -> (config file, locked by us, config age, removed, what)
        "tcpwintmtd-%d" % a: (True, False, 60, True, "its PID is gone, its config unlocked"),
        "tcpwintmtd-%d" % b: (False, False, 0, False, "no config: EAL may be starting"),
        "tcpwintmtd-%d" % c: (True, False, 0, False, "its config is fresh"),
        "tcpwintmtd-%d" % (b + 1000000): (True, True, 60, False, "its config is locked"),
        "tcpwintmtd-%d" % os.getpid(): (True, False, 60, False, "its PID runs"),
        "tcpwintmtd-x%d" % a: (True, False, 60, False, "not a PID"),
        "other-%d" % a: (True, False, 60, False, "another prefix"),
    }
    link = "tcpwintmtd-%d" % (c + 1000000)
    locks, made = [], list(dirs) + [link]
    try:
        for name, (config, locked, age, _, _) in dirs.items():
            plant_dir(base, name, config, locked, age, locks)
        os.symlink(target, os.path.join(base, link))
        killed = killed_daemon(daemon, base, work)
        made.append(killed)
        check(os.path.isdir(os.path.join(base, killed)),
              "runtime directories: SIGKILL leaves %s behind" % killed)
        p, _ = capture_run(daemon, caps, work, "good.pcap")
        expect(p, 0, "", "runtime directories: a run beside them")
        check(not os.path.exists(os.path.join(base, killed)),
              "runtime directories: %s removed: its daemon was killed" % killed)
        for name, (_, _, _, removed, what) in dirs.items():
            gone = not os.path.exists(os.path.join(base, name))
            check(gone == removed, "runtime directories: %s %s: %s" %
                  (name, "removed" if removed else "kept", what))
        check(os.path.islink(os.path.join(base, link)) and
              os.path.exists(os.path.join(target, "keep")),
              "runtime directories: %s kept, a symbolic link, and its target's files" % link)
    finally:
        for f in locks:
            f.close()
        for name in made:
            path = os.path.join(base, name)
            if os.path.islink(path):
                os.unlink(path)
            else:
                shutil.rmtree(path, ignore_errors=True)
            shutil.rmtree(os.path.join(base, ".plant-" + name), ignore_errors=True)


def main():
    daemon, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)  # a run starts from nothing
    os.makedirs(work)
    os.chmod(work, 0o755)  # nobody must reach the unreadable config
    os.makedirs(os.path.join(work, "captures"))
    caps = make_captures(os.path.join(work, "captures"))
    command_line(daemon, caps, os.path.join(work, "out_cmdline"))
    config_file(daemon, caps, work)
    captures_refused(daemon, caps, work)
    captures_read(daemon, caps, work)
    captures_unsupported_linktype(daemon, caps, work)
    captures_many_lcores(daemon, caps, work)
    captures_over_64k(daemon, caps, work)
    captures_cut_while_read(daemon, caps, work)
    output_files(daemon, caps, work)
    runtime_dirs(daemon, caps, work)
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
