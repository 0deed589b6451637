#!/usr/bin/env python3
"""Compares two expositions the way the differential suite needs: for every family both emit, the same
series (label sets), the same values, the same HELP and TYPE. Families only one side emits are listed but
are not errors (node_exporter 1.5.0 lacks some collectors and families that nodex has).

usage: compare.py NODE_EXPORTER_OUTPUT NODEX_OUTPUT ALLOW_FILE [--values-for REGEX] [--tolerance REL]
ALLOW_FILE holds regular expressions (one per line, '#' comments) matched against lines of the form
  "value <series>", "missing-in-nodex <series>", "extra-in-nodex <series>", "help <family>", "type <family>";
a difference that matches one is expected (each regex should carry a comment saying why). A line
  "label FAMILY_REGEX LABEL" removes LABEL from the series of matching families on both sides before
they are compared: a label node_exporter added after 1.5.0.
--values-for restricts value comparison to matching families (live hosts: counters move between scrapes).
Exit status 1 when an unexpected difference is found."""
import math
import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
SKIP = re.compile(r'^(go_|process_|promhttp_|node_exporter_build_info|node_scrape_collector_duration_seconds|node_time_seconds$)')


def parse(path, drop=()):
    series, helps, types = {}, {}, {}
    for line in open(path, encoding='utf-8', errors='replace'):
        line = line.rstrip('\n')
        if line.startswith('# HELP ') or line.startswith('# TYPE '):
            parts = line.split(' ', 3)
            (helps if parts[1] == 'HELP' else types)[parts[2]] = parts[3] if len(parts) > 3 else ''
            continue
        if not line or line.startswith('#'):
            continue
        m = SAMPLE.match(line)
        if not m or SKIP.match(m.group(1)):
            continue
        labels = LABEL.findall(m.group(3) or '')
        gone = {lab for fam_re, lab in drop if fam_re.search(m.group(1))}
        labels = tuple(sorted(p for p in labels if p[0] not in gone))
        series[(m.group(1), labels)] = float(m.group(4))
    return series, helps, types


def family(name, types):
    for suf in ('_bucket', '_count', '_sum'):
        if name.endswith(suf) and name[:-len(suf)] in types:
            return name[:-len(suf)]
    return name


def show(key):
    return key[0] + '{' + ','.join(f'{k}="{v}"' for k, v in key[1]) + '}'


def main():
    args = sys.argv[1:]
    values_re = None
    tol = 0.0
    if '--values-for' in args:
        i = args.index('--values-for')
        values_re = re.compile(args[i + 1])
        del args[i:i + 2]
    if '--tolerance' in args:
        i = args.index('--tolerance')
        tol = float(args[i + 1])
        del args[i:i + 2]
    ne_path, nx_path, allow_path = args
    lines = [l.strip() for l in open(allow_path) if l.strip() and not l.lstrip().startswith('#')]
    drop = [(re.compile(l.split()[1]), l.split()[2]) for l in lines if l.startswith('label ')]
    allow = [re.compile(l) for l in lines if not l.startswith('label ')]
    ne, ne_help, ne_type = parse(ne_path, drop)
    nx, nx_help, nx_type = parse(nx_path, drop)
    fam_ne = {family(k[0], ne_type) for k in ne}
    fam_nx = {family(k[0], nx_type) for k in nx}
    common = fam_ne & fam_nx
    diffs = []
    # Collector success is compared for the collectors both exporters ran; each has collectors the
    # other lacks (1.5.0 predates some, and nodex adds container).
    ran_ne = {dict(k[1]).get('collector') for k in ne if k[0] == 'node_scrape_collector_success'}
    ran_nx = {dict(k[1]).get('collector') for k in nx if k[0] == 'node_scrape_collector_success'}

    def one_sided(k):
        return k[0] == 'node_scrape_collector_success' and not (
            dict(k[1]).get('collector') in ran_ne and dict(k[1]).get('collector') in ran_nx)

    for k, v in ne.items():
        f = family(k[0], ne_type)
        if f not in common or one_sided(k):
            continue
        if k not in nx:
            diffs.append('missing-in-nodex ' + show(k))
        elif values_re is None or values_re.search(f):
            w = nx[k]
            same = (math.isnan(v) and math.isnan(w)) or v == w or abs(v - w) <= tol * max(abs(v), abs(w))
            if not same:
                diffs.append(f'value {show(k)} node_exporter={v!r} nodex={w!r}')
    for k in nx:
        if family(k[0], nx_type) in common and k not in ne and not one_sided(k):
            diffs.append('extra-in-nodex ' + show(k))
    for f in sorted(common):
        if ne_help.get(f) != nx_help.get(f):
            diffs.append(f'help {f} node_exporter={ne_help.get(f)!r} nodex={nx_help.get(f)!r}')
        if ne_type.get(f) != nx_type.get(f):
            diffs.append(f'type {f} node_exporter={ne_type.get(f)} nodex={nx_type.get(f)}')
    unexpected = [d for d in diffs if not any(a.search(d) for a in allow)]
    expected = len(diffs) - len(unexpected)
    print(f'families: {len(common)} in both, {len(fam_ne - fam_nx)} only in node_exporter, '
          f'{len(fam_nx - fam_ne)} only in nodex; series compared: '
          f'{sum(1 for k in ne if family(k[0], ne_type) in common)}; '
          f'differences: {expected} expected, {len(unexpected)} unexpected')
    if fam_ne - fam_nx:
        print('  only in node_exporter:', ' '.join(sorted(fam_ne - fam_nx))[:2000])
    for d in unexpected[:60]:
        print('  UNEXPECTED', d)
    return 1 if unexpected else 0


if __name__ == '__main__':
    sys.exit(main())
