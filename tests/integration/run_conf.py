#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""--check-config on tests/data/conf: each bad_*.conf must fail (exit 1) with the message
its first line announces ("# expect: ..."), line number included; each good_*.conf, and the
shipped conf/tcpwintmt.conf, must pass (exit 0). @DIR@, @WWDIR@ (world-writable, mode
0777), @STICKYDIR@ (mode 1777) and @FILE@ are replaced by directories and a file the test
makes; "# run as: nobody" runs that case as nobody (root can
write anywhere). Usage: run_conf.py DAEMON DATADIR SHIPPED_CONF WORKDIR."""
import os
import shutil
import subprocess
import sys


def main():
    daemon, data, shipped, work = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    d = os.path.join(work, "flows")
    os.makedirs(d)
    os.chmod(d, 0o755)
    os.chmod(work, 0o755)
    ww = os.path.join(work, "world-writable")
    sticky = os.path.join(work, "sticky")
    for path, mode in ((ww, 0o777), (sticky, 0o1777)):
        os.makedirs(path)
        os.chmod(path, mode)  # exactly, whatever the umask
    f = os.path.join(work, "a-file")
    open(f, "w").close()
    passed = failed = 0
    cases = sorted(os.listdir(data)) + [os.path.abspath(shipped)]
    for name in cases:
        src = name if os.path.isabs(name) else os.path.join(data, name)
        with open(src) as fh:
            text = (fh.read().replace("@DIR@", d).replace("@FILE@", f)
                    .replace("@WWDIR@", ww).replace("@STICKYDIR@", sticky))
        path = os.path.join(work, os.path.basename(src))
        with open(path, "w") as fh:
            fh.write(text)
        os.chmod(path, 0o644)
        cmd = [daemon, "-c", path, "--check-config"]
        if "# run as: nobody" in text:
            if os.geteuid() != 0 or shutil.which("setpriv") is None:
                print("SKIP %s: needs root and setpriv" % name)
                continue
            cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        bad = os.path.basename(src).startswith("bad_")
        if bad:
            expect = text.splitlines()[0].split("# expect: ", 1)[1]
            ok = p.returncode == 1 and expect in p.stderr
        else:
            expect = "exit 0"
            ok = p.returncode == 0
        print("%s %s: %s" % ("ok  " if ok else "FAIL", os.path.basename(src),
                             (p.stderr.strip().splitlines() or ["valid"])[-1]))
        if not ok:
            print("     wanted %r, got exit %d: %s" % (expect, p.returncode, p.stderr))
        passed += ok
        failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
