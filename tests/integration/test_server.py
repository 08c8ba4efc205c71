#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""Servers added and removed while the gateway runs, with a real
strongSwan 5.9.8 as the IKE peer (topology and charon harness of
test_ike_gw.py).

shardsec starts with 2 servers (ids 1 on lcore 1, 2 on lcore 2) and
initiates the tunnel (2 Child SA pairs). Then:
1. error cases give their exact messages: id in use, id too big, a
   lcore that is not a worker, unknown id;
2. `server add 3 1`: one more pair made with CREATE_CHILD_SA (strongSwan
   lists 3 INSTALLED pairs), `show sa` has an inbound SPI with id 3 that
   is strongSwan's outbound SPI, `show servers` lists id 3 on lcore 1
   with 2 SAs; ping through the tunnel (strongSwan 5.x sends on its newest
   pair: id 3's inbound SA decrypts it); a new IKE SA (terminate +
   initiate) makes the 3 pairs again;
3. `server del 3`: the pair is gone on both sides (INFORMATIONAL Delete),
   `show servers` no longer lists it, ping still flows; ESP sent to its
   old SPI is counted as unknown_id and dropped;
4. `server del 1` then `server del 2` refused (last server); `server add 1
   2` (a freed index reused, on the other lcore) makes a pair again; ping;
5. 30 add/del cycles of id 4 under fast pings, half of them deleting the
   server while its CREATE_CHILD_SA is in flight: both sides settle on the
   two pairs of ids 1 and 2, ping flows.
Usage: test_server.py PATH/TO/shardsec
Needs root. Prints "N passed, N failed"; exit status 1 on any failure.
"""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sstopo import sh  # noqa: E402
from test_ike_gw import (PSK, SW_HOST, GW_IP, check,  # noqa: E402
                         gw_log, gw_sas, ike_section, strongswan_main,
                         sw_children, wait)


def ping(topo, n=5):
    r = sh(['ping', '-c', str(n), '-i', '0.2', '-W', '2', SW_HOST],
           ns=topo.ns_in, check=False, timeout=30)
    return ' 0% packet loss' in r.stdout, r.stdout


def warm_ping(topo):
    """First packets may wait for ARP: one warm-up round, then 5/5."""
    ping(topo, 2)
    return ping(topo)


def in_ids(gw):
    sas, _ = gw_sas(gw)
    return sorted(s >> 28 for (s, d) in sas if d == 'in')


def servers_rows(gw):
    """{id: (lcore, sas)} from `show servers`."""
    rows = {}
    for m in re.finditer(r'^(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s',
                         gw.cmd('show servers'), re.M):
        rows[int(m.group(2))] = (int(m.group(3)), int(m.group(4)))
    return rows


def sa_packets(gw, spi):
    m = re.search(r'spi=0x%08x id=\d+ server=\d+ in .*? packets=(\d+)' % spi,
                  gw.cmd('show sa'))
    return int(m.group(1)) if m else -1


SEND_ESP = r'''
import sys
from scapy.all import IP, UDP, Raw, send
spi = int(sys.argv[2])
for i in range(int(sys.argv[3])):
    send(IP(dst=sys.argv[1]) / UDP(sport=4500, dport=4500) /
         Raw(spi.to_bytes(4, 'big') + (i + 1).to_bytes(4, 'big') +
             bytes(32)), verbose=False)
'''


def unknown_id(gw):
    m = re.search(r'unknown_id\s+(\d+)', gw.cmd('show stats'))
    return int(m.group(1)) if m else -1


def expect_error(gw, line, msg):
    out = gw.cmd(line)
    check('%s -> "error: %s"' % (line, msg), 'error: ' + msg + '\n' in out,
          out)


def case_errors(gw):
    expect_error(gw, 'server add 1 1',
                 'server add: id 1 is in use (server 0 on lcore 1)')
    expect_error(gw, 'server add 16 1',
                 'server add: id 16 does not fit in instance_bits 4 '
                 '(ids 0..15)')
    expect_error(gw, 'server add 3 5',
                 'server add: lcore 5 is not a worker lcore (workers: 1,2); '
                 'port queues are per worker and fixed at start-up')
    expect_error(gw, 'server add 3 0',
                 'server add: lcore 0 is not a worker lcore (workers: 1,2); '
                 'port queues are per worker and fixed at start-up')
    expect_error(gw, 'server del 7',
                 'server del: no server with id 7 (ids: 1,2)')
    check('errors: still 2 pairs, ids 1 and 2', in_ids(gw) == [1, 2],
          gw.cmd('show sa'))


def case_add(gw, charon, topo):
    out = gw.cmd('server add 3 1')
    check('server add 3 1 accepted', 'server id 3 added on lcore 1' in out,
          out)

    def three():
        return in_ids(gw) == [1, 2, 3] and \
            len(sw_children(charon.list_sas())) == 3
    ok = wait(three, 20)
    sw = charon.list_sas()
    check('add: strongSwan lists 3 INSTALLED Child SA pairs, show sa ids '
          '1,2,3', ok, gw.cmd('show sa') + sw)
    sas, sa_out = gw_sas(gw)
    swc = sw_children(sw)
    ins = [s for (s, d) in sas if d == 'in']
    outs = [s for (s, d) in sas if d == 'out']
    id3 = [s for s in ins if s >> 28 == 3]
    check('add: inbound SPI with id 3 = a strongSwan outbound SPI',
          len(id3) == 1 and id3[0] in {o for _, o in swc} and
          sas[(id3[0], 'in')] == 3, sa_out + sw)
    check('add: all SPIs match strongSwan\'s, both ways',
          set(ins) == {o for _, o in swc} and
          set(outs) == {i for i, _ in swc}, sa_out + sw)
    check('add: one IKE SA still', sw.count('ESTABLISHED') == 1, sw)
    rows = servers_rows(gw)
    check('add: show servers: id 3 on lcore 1 with 2 SAs',
          rows.get(3) == (1, 2) and rows.get(1) == (1, 2) and
          rows.get(2) == (2, 2), rows)
    cf = gw.cmd('show config')
    check('add: show config lists { id = 3; lcore = 1; }',
          '{ id = 3; lcore = 1; }' in cf, cf)
    lc = gw.cmd('show lcores')
    check('add: show lcores: worker on lcore 1 hosts ids 1,3',
          re.search(r'^1\s+worker 0\s+1,3\s', lc, re.M) is not None, lc)
    before = sa_packets(gw, id3[0]) if id3 else -1
    ok, txt = warm_ping(topo)
    check('add: ping through the tunnel with 3 servers (5/5)', ok,
          txt + gw.cmd('show sa'))
    after = sa_packets(gw, id3[0]) if id3 else -1
    print('    FIGURE: echo replies decrypted by id 3\'s new inbound SA: %d '
          '(strongSwan 5.x sends on its newest pair)' % (after - before))
    # a new IKE SA makes pairs for the servers of now, id 3 included
    gw.cmd('ike terminate sw')
    wait(lambda: 'no SAs' in gw.cmd('show sa') and
         'ESTABLISHED' not in charon.list_sas(), 15)
    mark = len(gw_log(gw))
    gw.cmd('ike initiate sw')
    m = wait(lambda: re.search(r'peer sw: all (\d+) child SA pairs '
                               r'installed', gw_log(gw)[mark:]), 20)
    ok = wait(three, 20)
    check('add: after ike terminate + initiate, 3 pairs again (gateway: '
          '"all %s child SA pairs installed")' % (m.group(1) if m else '?'),
          ok and m is not None and m.group(1) == '3',
          gw.cmd('show sa') + charon.list_sas())
    id3 = [s for (s, d) in gw_sas(gw)[0] if d == 'in' and s >> 28 == 3]
    return id3[0] if id3 else None


def case_del(gw, charon, topo, spi3):
    out = gw.cmd('server del 3')
    check('server del 3: 2 SAs deleted',
          'server id 3 removed (2 SAs deleted)' in out, out)
    check('del: show sa has no id 3 at once', 3 not in in_ids(gw),
          gw.cmd('show sa'))

    def gone():
        swc = sw_children(charon.list_sas())
        return len(swc) == 2 and spi3 not in {o for _, o in swc}
    check('del: strongSwan deleted the pair (INFORMATIONAL), 2 left',
          wait(gone, 15), charon.list_sas())
    sas, sa_out = gw_sas(gw)
    swc = sw_children(charon.list_sas())
    check('del: SPIs still match strongSwan\'s, ids 1 and 2',
          in_ids(gw) == [1, 2] and
          {s for (s, d) in sas if d == 'in'} == {o for _, o in swc},
          sa_out + charon.list_sas())
    rows = servers_rows(gw)
    check('del: show servers lists ids 1 and 2 only',
          sorted(rows) == [1, 2], rows)
    cf = gw.cmd('show config')
    check('del: show config no longer lists id 3',
          'id = 3;' not in cf and '{ id = 2; lcore = 2; }' in cf, cf)
    m = re.search(r'child net deleted: in %08x' % spi3, gw_log(gw))
    check('del: the IKE engine logged the Child SA delete', m is not None,
          gw_log(gw)[-2000:])
    ok, txt = warm_ping(topo)
    check('del: ping through the tunnel after server del (5/5)', ok,
          txt + gw.cmd('show sa'))
    expect_error(gw, 'server del 3',
                 'server del: no server with id 3 (ids: 1,2)')
    # ESP-in-UDP still naming id 3 (the deleted pair's SPI): counted
    # under unknown_id and dropped, never given to another server
    before = unknown_id(gw)
    sh(['/usr/bin/python3', '-c', SEND_ESP, GW_IP, str(spi3), '5'],
       ns=topo.ns_out, timeout=60)
    got = wait(lambda: unknown_id(gw) - before >= 5, 10)
    check('del: 5 ESP packets for removed id 3 counted as unknown_id '
          '(%d)' % (unknown_id(gw) - before), got, gw.cmd('show stats'))


def case_last_and_reuse(gw, charon, topo):
    out = gw.cmd('server del 1')
    check('server del 1 accepted', 'server id 1 removed (2 SAs deleted)'
          in out, out)
    expect_error(gw, 'server del 2', 'server del: id 2 is the last server')
    check('last: strongSwan keeps 1 pair, ours id 2',
          wait(lambda: len(sw_children(charon.list_sas())) == 1, 15) and
          in_ids(gw) == [2], gw.cmd('show sa') + charon.list_sas())
    out = gw.cmd('server add 1 2')
    check('server add 1 2 (freed index reused, other lcore)',
          'server id 1 added on lcore 2' in out, out)
    ok = wait(lambda: in_ids(gw) == [1, 2] and
              len(sw_children(charon.list_sas())) == 2, 20)
    check('reuse: pairs for ids 1 and 2 again on both sides', ok,
          gw.cmd('show sa') + charon.list_sas())
    rows = servers_rows(gw)
    check('reuse: show servers: id 1 now on lcore 2 with 2 SAs',
          rows.get(1) == (2, 2), rows)
    ok, txt = warm_ping(topo)
    check('reuse: ping through the tunnel (5/5)', ok,
          txt + gw.cmd('show sa'))
    st = gw.cmd('show stats')
    m1 = re.search(r'unknown_id\s+(\d+)', st)
    m2 = re.search(r'server_gone\s+(\d+)', st)
    check('show stats has unknown_id and server_gone counters',
          m1 is not None and m2 is not None, st)
    if m1 and m2:
        print('    FIGURE: packets for removed ids dropped: unknown_id %s, '
              'server_gone %s' % (m1.group(1), m2.group(1)))


def case_churn(gw, charon, topo):
    """add/del cycles under traffic (IPv4 through the tunnel, and IPv6 in
    the clear to the outside host, hashed over the servers: strongSwan
    routes every IPv4 reply to the inside network into its tunnel); half
    of them delete
    the server while its CREATE_CHILD_SA is still in flight."""
    pingers = [subprocess.Popen(
        ['ip', 'netns', 'exec', topo.ns_in, 'ping', '-q', '-i', '0.002',
         '-w', '120', dst], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
        for dst in (SW_HOST, '2001:db8:2::2')]
    time.sleep(0.5)
    bad = []
    outs = []
    try:
        for i in range(30):
            a = gw.cmd('server add 4 %d' % (1 + i % 2))
            if 'server id 4 added' not in a:
                bad.append(a)
            if i % 2 == 0:
                wait(lambda: 4 in in_ids(gw), 10, 0.02)
            d = gw.cmd('server del 4')
            if 'server id 4 removed' not in d:
                bad.append(d)
    finally:
        for p in pingers:
            p.send_signal(signal.SIGINT)   # ping prints its summary
            outs.append(p.communicate(timeout=10)[0])
    check('churn: 30 x (server add 4 / server del 4) under ping traffic',
          not bad, '\n'.join(bad))
    for dst, out in zip((SW_HOST, '2001:db8:2::2'), outs):
        m = re.search(r'(\d+) packets transmitted, (\d+) received', out)
        if m:
            print('    FIGURE: ping -i 0.002 to %s during the churn: %s '
                  'sent, %s received' % (dst, m.group(1), m.group(2)))
    check('churn: gateway alive (shell answers)',
          'server' in gw.cmd('show servers'), gw.out[-1000:])

    def settled():
        return in_ids(gw) == [1, 2] and \
            sorted(sw_children(charon.list_sas())) == sorted(
                sw_children(charon.list_sas())) and \
            len(sw_children(charon.list_sas())) == 2
    check('churn: both sides settle on the 2 pairs of ids 1 and 2 (no '
          'orphan pair)', wait(settled, 30, 0.2),
          gw.cmd('show sa') + charon.list_sas())
    rows = servers_rows(gw)
    check('churn: show servers lists ids 1 and 2 only',
          sorted(rows) == [1, 2], rows)
    ok, txt = warm_ping(topo)
    check('churn: ping through the tunnel afterwards (5/5)', ok,
          txt + gw.cmd('show sa'))


def run(h):
    charon = h.charon()
    gw = h.gateway(ike_section())
    charon.start(PSK)
    t = gw.cmd('ike initiate sw')
    ok = wait(lambda: in_ids(gw) == [1, 2] and
              len(sw_children(charon.list_sas())) == 2, 30)
    check('tunnel up: 2 pairs (ids 1, 2) on both sides', ok,
          t + gw.cmd('show sa') + charon.list_sas())
    h.cases(charon, (('errors', lambda: case_errors(gw)),
                     ('add/del', lambda: case_del(gw, charon, h.topo,
                                                  case_add(gw, charon,
                                                           h.topo))),
                     ('last and reuse',
                      lambda: case_last_and_reuse(gw, charon, h.topo)),
                     ('churn', lambda: case_churn(gw, charon, h.topo))))
    h.finish(gw)


def main():
    return strongswan_main(__doc__, 'sssrv', run)


if __name__ == '__main__':
    sys.exit(main())
