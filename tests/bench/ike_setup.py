#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""Control-plane setup rate against a real strongSwan 5.9.8.

For each server count N (default 1 2 4 8 15; ids 1..N spread over the
worker lcores 1 and 2), start the gateway with one IKE peer (the
test_ike_gw.py topology: namespaces, veth + af_packet, charon with
kernel-libipsec in the outside namespace) and, REPS times:
  - `ike initiate sw`, then read the gateway's own figure "all N child SA
    pairs installed X ms after initiate" (TSC of the control lcore, from
    the initiate command to the last pair in the SA database): IKE_SA_INIT
    + IKE_AUTH (first pair) + N-1 CREATE_CHILD_SA exchanges, one at a time;
  - `ike rekey sw net` (every pair rekeyed, make before break): time until
    every live inbound SPI in `show sa` is new and the old pairs are
    deleted (their inbound SAs, shown "retiring", stay for
    ike.delete_rekeyed_delay; shell polling: each poll is a shell round
    trip of about 1 ms, so this is coarser than the setup figure);
  - `ike terminate sw` and wait until both sides are clean.
Prints a table and CSV: servers, setup ms (median, min, max), pairs/s
(N / median setup), rekey ms (median) and rekeyed pairs/s; then the
CREATE_CHILD_SA rate the control lcore sustains against strongSwan: the
least-squares slope of the median setup time over N (ms per
extra pair, and its inverse in pairs/s), with the intercept (IKE_SA_INIT
+ IKE_AUTH with the first pair).

This is a measurement script, not a test: no figure is asserted. Needs
root and strongSwan. On a 2-CPU machine shared with other jobs expect
noise; run with --reps 5 or more for stable medians.

Usage: tests/bench/ike_setup.py PATH/TO/shardsec [--servers 1,2,4,8,15]
       [--reps 3] [--no-rekey] [--csv FILE]
"""
import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
import sstopo  # noqa: E402
from sstopo import sh  # noqa: E402
from test_ike_gw import (Charon, PSK, SW_HOST, GW_IP,  # noqa: E402
                         gw_log, gw_sas, ike_section, sw_children, wait)

WORKER_LCORES = (1, 2)


def in_spis(gw):
    sas, _ = gw_sas(gw)
    return {s for (s, d) in sas if d == 'in'}


def one_round(gw, charon, n, rekey):
    """(setup_ms, rekey_ms or None); None setup on failure."""
    mark = len(gw_log(gw))
    gw.cmd('ike initiate sw')
    pat = (r'peer sw: all (\d+) child SA pairs installed ([\d.]+) ms after '
           r'initiate')
    m = wait(lambda: re.search(pat, gw_log(gw)[mark:]), 60, 0.02)
    setup = float(m.group(2)) if m and int(m.group(1)) == n else None
    rk = None
    if setup is not None and rekey:
        # let strongSwan finish installing before the rekey
        wait(lambda: len(sw_children(charon.list_sas())) == n, 20, 0.1)
        old = in_spis(gw)
        t0 = time.time()
        gw.cmd('ike rekey sw net')

        def done():
            now = in_spis(gw)
            return len(now) == n and not (now & old)
        if wait(done, 60, 0.002):
            rk = (time.time() - t0) * 1000
    gw.cmd('ike terminate sw')
    wait(lambda: 'no SAs' in gw.cmd('show sa') and
         'ESTABLISHED' not in charon.list_sas(), 20, 0.1)
    time.sleep(0.3)
    return setup, rk


def fmt(v, spec='%.1f'):
    return spec % v if v is not None else '-'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('binary')
    ap.add_argument('--servers', default='1,2,4,8,15')
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--no-rekey', action='store_true')
    ap.add_argument('--csv', default=None)
    a = ap.parse_args()
    if os.geteuid() != 0 or not os.path.exists('/usr/lib/ipsec/charon'):
        print('needs root and strongSwan (/usr/lib/ipsec/charon)')
        return 77
    counts = [int(x) for x in a.servers.split(',')]
    if any(c < 1 or c > 15 for c in counts):
        print('server counts must be 1..15 (instance_bits 4, ids 1..15)')
        return 2
    topo = sstopo.Topology()
    tmp = tempfile.mkdtemp(prefix='ssbenchike')
    os.chmod(tmp, 0o755)
    charon = gw = None
    rows = []
    try:
        topo.up()
        sh(['ip', 'addr', 'add', SW_HOST + '/32', 'dev', 'lo'],
           ns=topo.ns_out)
        charon = Charon(topo.ns_out, tmp)
        charon.start(PSK)
        for n in counts:
            servers = tuple((i, WORKER_LCORES[(i - 1) % len(WORKER_LCORES)])
                            for i in range(1, n + 1))
            gw = sstopo.Gateway(a.binary, topo, topo.config(
                servers=servers, extra=ike_section()))
            sh(['ping', '-c', '1', '-W', '2', GW_IP], ns=topo.ns_out,
               check=False)
            setups, rekeys = [], []
            for r in range(a.reps):
                s, rk = one_round(gw, charon, n, not a.no_rekey)
                print('servers %2d  round %d: setup %s ms, rekey %s ms'
                      % (n, r + 1, fmt(s), fmt(rk)))
                sys.stdout.flush()
                if s is not None:
                    setups.append(s)
                if rk is not None:
                    rekeys.append(rk)
            gw.stop()
            gw = None
            rows.append((n, setups, rekeys))
    finally:
        if gw is not None:
            gw.stop()
        if charon is not None:
            charon.stop()
        topo.close()
        shutil.rmtree(tmp, ignore_errors=True)

    lines = ['servers,rounds,setup_ms_median,setup_ms_min,setup_ms_max,'
             'pairs_per_s,rekey_ms_median,rekey_pairs_per_s']
    print()
    print('%7s %6s %10s %9s %9s %9s %10s %11s'
          % ('servers', 'rounds', 'setup ms', 'min', 'max', 'pairs/s',
             'rekey ms', 'rekey pr/s'))
    pts = []
    for n, setups, rekeys in rows:
        if setups:
            pts.append((n, statistics.median(setups)))
        med = statistics.median(setups) if setups else None
        lo = min(setups) if setups else None
        hi = max(setups) if setups else None
        pps = n * 1000.0 / med if med else None
        rk = statistics.median(rekeys) if rekeys else None
        rps = n * 1000.0 / rk if rk else None
        print('%7d %6d %10s %9s %9s %9s %10s %11s'
              % (n, len(setups), fmt(med), fmt(lo), fmt(hi),
                 fmt(pps, '%.0f'), fmt(rk), fmt(rps, '%.0f')))
        lines.append('%d,%d,%s,%s,%s,%s,%s,%s' % (
            n, len(setups), fmt(med, '%.2f'), fmt(lo, '%.2f'),
            fmt(hi, '%.2f'), fmt(pps, '%.1f'), fmt(rk, '%.1f'),
            fmt(rps, '%.1f')))
    ns = {n for n, _ in pts}
    if len(ns) >= 2:
        mx = statistics.mean(n for n, _ in pts)
        my = statistics.mean(v for _, v in pts)
        slope = (sum((n - mx) * (v - my) for n, v in pts) /
                 sum((n - mx) ** 2 for n, _ in pts))
        icpt = my - slope * mx
        rate = fmt(1000.0 / slope if slope > 0 else None, '%.0f')
        print('\nCREATE_CHILD_SA: %.2f ms per extra pair (least squares '
              'over the medians of %d server counts) = %s pairs/s; '
              'IKE_SA_INIT + IKE_AUTH with the first pair: %.1f ms'
              % (slope, len(pts), rate, icpt + slope))
    print('\nCSV:\n' + '\n'.join(lines))
    if a.csv:
        with open(a.csv, 'w') as f:
            f.write('\n'.join(lines) + '\n')
    return 0 if all(s for _, s, _ in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
