# SPDX-License-Identifier: BSD-3-Clause
"""The "nothing lost" check shared by the integration tests: every packet the daemon received
is in a flow record (numPktsSnt) or in one of the report's named non-flow counters."""
import re

_NONFLOW = re.compile(r"^  (not IP|truncated header|malformed header|unsupported link type):"
                      r"\s+(\d+)$", re.M)
_RECEIVED = re.compile(r"^  packets received:\s+(\d+)$", re.M)


def received(report):
    """Packets received, from the end report; None if the report has no accounting block."""
    m = _RECEIVED.search(report)
    return int(m.group(1)) if m else None


def nonflow(report):
    """Sum of the named non-flow counters of the end report."""
    return sum(int(v) for _, v in _NONFLOW.findall(report))


def in_flows(flow_file):
    """Sum of numPktsSnt over a flow file."""
    with open(flow_file) as f:
        col = f.readline().lstrip("%").rstrip("\n").split("\t").index("numPktsSnt")
        return sum(int(line.rstrip("\n").split("\t")[col]) for line in f)


def problem(report, flow_file):
    """None if the packets add up, else what is wrong."""
    got = received(report)
    if got is None:
        return "no accounting block in the end report"
    flows, counted = in_flows(flow_file), nonflow(report)
    if flows + counted != got:
        return "accounting: %d in flows + %d counted != %d received" % (flows, counted, got)
    return None
