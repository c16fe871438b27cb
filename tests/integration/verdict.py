# SPDX-License-Identifier: BSD-3-Clause
"""The end of a test that collects its failures as messages: each printed, then the summary
line meson's log shows, and the exit status."""


def finish(fails):
    """Print each failure and "1 passed, 0 failed" or "0 passed, 1 failed"; 0 or 1."""
    for f in fails:
        print("FAIL:", f)
    print("%d passed, %d failed" % (0 if fails else 1, 1 if fails else 0))
    return 1 if fails else 0
