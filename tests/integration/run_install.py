#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""`meson install` into a staging directory, then check what it put in place:
  * the binary, unit, sysusers.d/tmpfiles.d snippets, default config and both man pages;
  * `systemd-analyze verify` passes on the installed unit (its paths pointed at the
    staging directory, so the commands it names exist) and `systemd-analyze security
    --offline=true` rates it "OK" (exposure <= 4.0); the figure is printed;
  * the man pages render; an edited configuration survives a second install.
Usage: run_install.py BUILDDIR STAGEDIR."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verdict  # noqa: E402

PREFIX = "/usr/local"


def main():
    build, stage = sys.argv[1:3]
    fails = []
    shutil.rmtree(stage, ignore_errors=True)
    env = dict(os.environ, DESTDIR=stage)
    subprocess.run(["meson", "install", "-C", build, "--quiet"], env=env, check=True,
                   capture_output=True, timeout=300)
    root = stage + PREFIX
    want = ["sbin/tcpwintmtd", "lib/systemd/system/tcpwintmtd.service",
            "lib/sysusers.d/tcpwintmtd.conf", "lib/tmpfiles.d/tcpwintmtd.conf",
            "etc/tcpwintmt.conf", "etc/default/tcpwintmtd", "share/man/man8/tcpwintmtd.8",
            "share/man/man5/tcpwintmt.conf.5"]
    for rel in want:
        if not os.path.exists(os.path.join(root, rel)):
            fails.append("not installed: " + rel)

    unit = os.path.join(root, "lib/systemd/system/tcpwintmtd.service")
    staged = os.path.join(stage, "tcpwintmtd.service")
    with open(unit) as f:
        text = f.read()
    with open(staged, "w") as f:
        f.write(text.replace(PREFIX + "/", root + "/"))
    v = subprocess.run(["systemd-analyze", "verify", "--man=no", staged],
                       capture_output=True, text=True, timeout=60)
    if v.returncode != 0 or v.stdout.strip() or v.stderr.strip():
        fails.append("systemd-analyze verify: %s %s" % (v.stdout, v.stderr))
    s = subprocess.run(["systemd-analyze", "security", "--offline=true", staged],
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\w+)", s.stdout)
    if m is None:
        fails.append("systemd-analyze security gave no level: " + s.stdout[-300:] + s.stderr)
    else:
        print("systemd-analyze security --offline=true: exposure %s %s" % m.groups())
        if float(m.group(1)) > 4.0:
            fails.append("exposure %s above 4.0" % m.group(1))

    for page in ("share/man/man8/tcpwintmtd.8", "share/man/man5/tcpwintmt.conf.5"):
        r = subprocess.run(["man", "--warnings", "-l", os.path.join(root, page)],
                           capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, MANWIDTH="80"))
        if r.returncode != 0 or "NAME" not in r.stdout or r.stderr.strip():
            fails.append("man page %s: %s" % (page, r.stderr.strip()[:300]))

    conf = os.path.join(root, "etc/tcpwintmt.conf")
    with open(conf, "a") as f:
        f.write("# edited by the operator\n")
    subprocess.run(["meson", "install", "-C", build, "--quiet"], env=env, check=True,
                   capture_output=True, timeout=300)
    with open(conf) as f:
        if "# edited by the operator" not in f.read():
            fails.append("a second install overwrote the edited configuration")
    shutil.rmtree(stage, ignore_errors=True)
    return verdict.finish(fails)


if __name__ == "__main__":
    sys.exit(main())
