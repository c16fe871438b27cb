#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every key of the key table (lib/conf.c) is documented in the annotated config file
(conf/tcpwintmt.conf, inside its group) and in tcpwintmt.conf(5); neither documents a key
the table does not have. Usage: check-conf-docs.py [SOURCE_ROOT]."""
import os
import re
import sys


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    read = lambda rel: open(os.path.join(root, rel)).read()
    keys = re.findall(r'\.path = "([a-z_.0-9]+)"', read("lib/conf.c"))
    conf = read("conf/tcpwintmt.conf")
    man = read("doc/tcpwintmt.conf.5.in")
    documented = set()
    for group, body in re.findall(r"^(\w+) = \{(.*?)^\};", conf, re.M | re.S):
        for name in re.findall(r"^\s*(\w+)\s*=", body, re.M):
            documented.add(group + "." + name)
    problems = ["%s: missing from conf/tcpwintmt.conf" % k for k in keys if k not in documented]
    problems += ["%s: in conf/tcpwintmt.conf but not a key" % k for k in documented
                 if k not in keys]
    problems += ["%s: missing from tcpwintmt.conf(5)" % k for k in keys
                 if k.replace("_", "\\\\_") not in man and k not in man]
    for p in problems:
        print("FAIL", p)
    print("%d passed, %d failed" % (len(keys) - len(problems), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
