#!/usr/bin/python3
"""Compare the TCP records of a tcpwintmtd flow file with a Tranalyzer2 golden flow file.

Both files are tab-separated; the first line is the column-name row, prefixed with '%'.
Columns are looked up by name (the product prints ethVlanID and numPkts/BytesSnt, T2 0.9.3
prints vlanID and no basicStats), so column order and extra columns do not matter.

What is compared (see /work/shared/pcaps/t2-reference/README.md):
  * only TCP rows (l4Proto == 6);
  * each record's identity: srcIP, srcPort, dstIP, dstPort, l4Proto, timeFirst, timeLast,
    flowStat bit 0 (the B bit), tcpWinStat, tcpWinState, tcpWinThCnt (hex lower-cased);
  * the multiset of records, and the multiset of groups, a group being the records sharing
    one flowInd (the A and B directions of a connection).
flowInd values themselves are NOT compared: they may legitimately differ (e.g. once several
cores allocate indices). Which records are paired under one index must not differ.

Usage:  t2compare.py OURS GOLDEN   exit 0 equal, 1 different, 2 unreadable input
        t2compare.py --self-test   check the comparator itself on every golden *_flows.txt
                                   in $T2REF (default /work/shared/pcaps/t2-reference)
"""
import csv
import os
import sys
import tempfile
from collections import Counter, defaultdict

DEFAULT_REF = '/work/shared/pcaps/t2-reference'
KEY_COLS = ('srcIP', 'srcPort', 'dstIP', 'dstPort', 'l4Proto', 'timeFirst', 'timeLast',
            'flowStat', 'tcpWinStat', 'tcpWinState', 'tcpWinThCnt')
LIMIT = 20


def load(path):
    """Read a flow file into a list of dicts keyed by column name."""
    with open(path, newline='', encoding='utf-8') as f:
        reader = csv.reader(f, delimiter='\t', quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if not header or not header[0].startswith('%'):
            raise ValueError(f'{path}: first line is not a "%"-prefixed column-name row')
        header[0] = header[0][1:]
        rows = []
        for row in reader:
            if not row:                       # tolerate blank lines
                continue
            if len(row) != len(header):
                raise ValueError(f'{path}:{reader.line_num}: {len(row)} fields, '
                                 f'header has {len(header)}')
            rows.append(dict(zip(header, row)))
    return rows


def _identity(row):
    stat_bit = int(row['flowStat'], 16) & 1
    return (row['srcIP'], row['srcPort'], row['dstIP'], row['dstPort'], row['l4Proto'],
            row['timeFirst'], row['timeLast'], stat_bit, row['tcpWinStat'].lower(),
            row['tcpWinState'].lower(), row['tcpWinThCnt'])


def tcp_records(rows):
    """Return [(flowInd, identity)] for the TCP rows (l4Proto == '6')."""
    missing = [c for c in ('flowInd',) + KEY_COLS if rows and c not in rows[0]]
    if missing:
        raise ValueError(f'missing column(s): {", ".join(missing)}')
    return [(r['flowInd'], _identity(r)) for r in rows if r['l4Proto'] == '6']


def groups(records):
    """Multiset of groups: each group is the sorted tuple of identities under one flowInd."""
    by_ind = defaultdict(list)
    for ind, ident in records:
        by_ind[ind].append(ident)
    return Counter(tuple(sorted(g)) for g in by_ind.values())


def _fmt(ident):
    sip, sport, dip, dport, proto, first, last, b, wstat, wstate, thcnt = ident
    return (f'{sip}:{sport} -> {dip}:{dport} proto {proto} {first}..{last} '
            f'{"B" if b else "A"}-bit tcpWinStat {wstat} tcpWinState {wstate} tcpWinThCnt {thcnt}')


def _section(lines, title, items, fmt):
    items = list(items.elements())
    if not items:
        return
    lines.append(f'{title} ({len(items)}):')
    lines.extend('  ' + fmt(x) for x in items[:LIMIT])
    if len(items) > LIMIT:
        lines.append(f'  ... and {len(items) - LIMIT} more')


def _read(path):
    """load() + tcp_records(), with the file name in any ValueError."""
    try:
        return tcp_records(load(path))
    except ValueError as e:
        raise ValueError(e if str(e).startswith(path) else f'{path}: {e}') from None


def compare(ours_path, golden_path):
    """Compare two flow files; return (ok, report). Raises OSError/ValueError on bad input."""
    ours, gold = _read(ours_path), _read(golden_path)
    rec_o, rec_g = Counter(i for _, i in ours), Counter(i for _, i in gold)
    grp_o, grp_g = groups(ours), groups(gold)
    ok = rec_o == rec_g and grp_o == grp_g
    lines = [f'TCP records: ours {len(ours)}, golden {len(gold)}; '
             f'groups: ours {sum(grp_o.values())}, golden {sum(grp_g.values())}']
    _section(lines, 'records only in ours', rec_o - rec_g, _fmt)
    _section(lines, 'records only in golden', rec_g - rec_o, _fmt)
    fmt_group = lambda g: ' | '.join(_fmt(i) for i in g)
    _section(lines, 'groups (flowInd pairings) only in ours', grp_o - grp_g, fmt_group)
    _section(lines, 'groups (flowInd pairings) only in golden', grp_g - grp_o, fmt_group)
    lines.append('EQUAL' if ok else 'DIFFERENT')
    return ok, '\n'.join(lines)


# ---------------------------------------------------------------- self-test

def _write(path, rows):
    header = list(rows[0].keys()) if rows else ['dir']
    with open(path, 'w', encoding='utf-8') as f:
        f.write('%' + '\t'.join(header) + '\n')
        f.writelines('\t'.join(r[c] for c in header) + '\n' for r in rows)


def _mutations(rows):
    """Yield (name, mutated rows) for each mutation applicable to this file."""
    tcp = [i for i, r in enumerate(rows) if r['l4Proto'] == '6']
    if not tcp:
        return
    yield 'drop one TCP record', [r for i, r in enumerate(rows) if i != tcp[0]]
    changed = [dict(r) for r in rows]
    changed[tcp[0]]['tcpWinThCnt'] = str(int(changed[tcp[0]]['tcpWinThCnt']) + 1)
    yield 'change one tcpWinThCnt', changed
    # Swap flowInd of a record in a multi-record group with a record of another group
    # (swapping two lone records would not change the grouping).
    size = Counter(rows[i]['flowInd'] for i in tcp)
    for a in (i for i in tcp if size[rows[i]['flowInd']] > 1):
        for b in tcp:
            if rows[b]['flowInd'] != rows[a]['flowInd'] and _identity(rows[b]) != _identity(rows[a]):
                swapped = [dict(r) for r in rows]
                swapped[a]['flowInd'], swapped[b]['flowInd'] = rows[b]['flowInd'], rows[a]['flowInd']
                yield 'swap flowInd across groups', swapped
                return


def self_test():
    ref = os.environ.get('T2REF', DEFAULT_REF)
    if not os.path.isdir(ref):
        print(f'SKIP: integration.t2compare_selftest: {ref} not found (needs ../shared)')
        return 77
    try:
        files = sorted(f for f in os.listdir(ref) if f.endswith('_flows.txt'))
    except OSError as e:
        print(f't2compare: {e}', file=sys.stderr)
        return 2
    results, skipped = [], 0                  # results: (ok, description)
    check = lambda ok, what: results.append((bool(ok), what))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'mutated_flows.txt')
        for bad in ('dir\tflowInd\nA\t1\n', '%dir\tflowInd\nA\t1\t2\n'):  # must be rejected
            with open(path, 'w') as f:
                f.write(bad)
            try:
                load(path)
                check(False, f'load() accepted malformed file {bad!r}')
            except ValueError:
                check(True, '')
        for name in files:
            golden = os.path.join(ref, name)
            try:
                check(compare(golden, golden)[0], f'{name}: not equal to itself')
                muts = list(_mutations(load(golden)))
                skipped += 3 - len(muts)
                for what, mutated in muts:
                    _write(path, mutated)
                    check(not compare(path, golden)[0], f'{name}: mutation "{what}" not detected')
            except (OSError, ValueError) as e:
                check(False, f'{name}: {e}')
    print(f'{len(files)} golden files; {skipped} mutations not applicable (no TCP / lone flows)')
    failed = [what for ok, what in results if not ok]
    print(''.join(f'FAIL: {what}\n' for what in failed), end='')
    print(f'{len(results) - len(failed)} passed, {len(failed)} failed')
    return 1 if failed or not files else 0


def main(argv):
    if argv == ['--self-test']:
        return self_test()
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        ok, report = compare(*argv)
    except (OSError, ValueError) as e:
        print(f't2compare: {e}', file=sys.stderr)
        return 2
    print(report)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
