#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""IKE-negotiated SAs on the "inline" back-end: rte_security inline crypto
sessions (drivers/inline) on the software inline NIC attached to the
outside port (drivers/swnic/ss_swnic_sec.h), against a real strongSwan
5.9.8 (kernel-libipsec, which sends ESP in UDP 4500: the NIC's NAT-T).

inside host 192.0.2.2 -- shardsec (2 servers, ids 1 and 2, backend
"inline") -- outside namespace: charon at 198.51.100.2 protecting
198.18.1.0/24.

Cases:
1. outbound: a ping starts the child on demand; the 4 SAs (a pair per
   server) become 4 sessions on the NIC, and pings go through it: the
   NIC's transmit encrypted and its receive decrypted them.
2. traffic: 300 UDP datagrams each way, every one through the NIC
   (its counters grow by at least that), in order.
3. rekey under traffic: datagrams every 5 ms while `ike rekey` replaces
   both pairs: every one arrives, once, in order; the old sessions are
   destroyed on the NIC, 4 remain.
4. terminate: the SAs go, and with them every session on the NIC; no
   key bytes in the output or the log.
Usage: test_inline_ike.py PATH/TO/shardsec
Needs root. Prints "N passed, N failed"; exit status 1 on any failure.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sstopo import sh  # noqa: E402
import test_ike_gw as gwt  # noqa: E402
from test_ike_gw import check, wait, gw_sas, gw_log  # noqa: E402
from test_keyoff import UDP_SINK, UDP_PACE, UDP_PACE_FROM  # noqa: E402
from test_keyoff import udp_across_rekey  # noqa: E402

SW_HOST = gwt.SW_HOST

INLINE = '''ipsec = {
  backend = "inline";
  inline = { port = "outside"; software = true; sessions = 64; };
};
'''


def nic(gw):
    out = gw.cmd('show inline json')
    try:
        return json.loads(out[out.index('{'):out.rindex('}') + 1])
    except ValueError:
        return {}


def delta(a, b, k):
    return b.get(k, -1) - a.get(k, 0)


def case_outbound(gw, charon, topo):
    charon.start(gwt.PSK)
    n0 = nic(gw)
    r = sh(['ping', '-c', '1', '-W', '10', SW_HOST], ns=topo.ns_in,
           check=False, timeout=30)
    check('outbound: the ping that starts the child on demand is answered',
          r.returncode == 0, '\n'.join(
              l for l in (gw.cmd('show stats') + gw.cmd('show inline') +
                          gw.cmd('show hold') + gw.cmd('show sa'))
              .splitlines() if not l.endswith(' 0')))
    ok = wait(lambda: len(gw_sas(gw)[0]) == 4 and
              nic(gw).get('sessions') == 4, 10)
    n1 = nic(gw)
    check('outbound: 4 SAs, 4 sessions on the NIC (software), none '
          'refused', ok and n1.get('device') == 'software' and
          n1.get('refused') == 0, (n1, gw.cmd('show sa')))
    r = sh(['ping', '-c', '5', '-i', '0.2', '-W', '2', SW_HOST],
           ns=topo.ns_in, check=False, timeout=30)
    n2 = nic(gw)
    check('outbound: 5/5 pings through the NIC-encrypted SAs',
          ' 0% packet loss' in r.stdout, r.stdout)
    check('outbound: the NIC encrypted >= 5 and decrypted >= 5, dropped '
          'and failed none (%s / %s)' % (delta(n0, n2, 'tx_encrypted'),
                                        delta(n0, n2, 'rx_decrypted')),
          delta(n0, n2, 'tx_encrypted') >= 5 and
          delta(n0, n2, 'rx_decrypted') >= 5 and
          n2.get('tx_dropped_no_session') == 0 and
          n2.get('tx_dropped_bad') == 0 and n2.get('rx_auth_failed') == 0
          and n2.get('rx_bad') == 0, n2)
    out = gw.cmd('show stats json')
    try:
        esp = json.loads(out[out.index('{'):out.rindex('}') + 1])['esp']
    except (ValueError, KeyError):
        esp = {}
    check('outbound: no ESP of an inline SA lost for want of the NIC '
          '(not_offloaded 0; %s decrypted in software: they came before '
          'the NIC had the session and were held)' % esp.get('inline_soft'),
          esp.get('not_offloaded') == 0 and 'inline_soft' in esp, esp)
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                        '..', 'usertools', 'ss-telemetry.py')
    tel = sh(['/usr/bin/python3', tool, '-f', 'ss' + topo.tag,
              '/shardsec/inline'], check=False).stdout
    try:
        t = json.loads(tel)['/shardsec/inline']
    except (ValueError, KeyError):
        t = {}
    check('telemetry /shardsec/inline: 4 sessions on the software NIC, '
          'its counters as in show inline',
          t.get('sessions') == 4 and t.get('device') == 'software' and
          t.get('tx_encrypted', 0) >= n2.get('tx_encrypted', 1), tel)
    o = gw.cmd('show sa')
    check('show sa: the SAs are NAT-T (kernel-libipsec) on the inline '
          'back-end', 'udp-encap' in o and 'inline' in o, o)


def udp_one_way(topo, ns_from, ns_to, dst, port, n, gap, src=None):
    sink = subprocess.Popen(['ip', 'netns', 'exec', ns_to,
                             '/usr/bin/python3', '-c', UDP_SINK, dst,
                             str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        sink.stdout.readline()
        if src is None:
            args = ['/usr/bin/python3', '-c', UDP_PACE, dst, str(port),
                    str(n), str(gap)]
        else:
            args = ['/usr/bin/python3', '-c', UDP_PACE_FROM, dst,
                    str(port), str(n), str(gap), src]
        sh(args, ns=ns_from, timeout=60)
        out, _ = sink.communicate(timeout=30)
    finally:
        if sink.poll() is None:
            sink.kill()
            sink.wait()
    return [int(x) for x in out.split()]


def case_traffic(gw, charon, topo):
    n = 300
    n0 = nic(gw)
    got = udp_one_way(topo, topo.ns_in, topo.ns_out, SW_HOST, 5030, n,
                      0.002)
    check('traffic: %d/%d datagrams out, in order' % (len(got), n),
          got == list(range(n)), got[:20])
    # strongSwan's protected address sends back to the inside host
    got = udp_one_way(topo, topo.ns_out, topo.ns_in, '192.0.2.2', 5031, n,
                      0.002, src=SW_HOST)
    check('traffic: %d/%d datagrams in, in order' % (len(got), n),
          got == list(range(n)), got[:20])
    n1 = nic(gw)
    check('traffic: the NIC encrypted >= %d and decrypted >= %d '
          '(%d / %d)' % (n, n, delta(n0, n1, 'tx_encrypted'),
                         delta(n0, n1, 'rx_decrypted')),
          delta(n0, n1, 'tx_encrypted') >= n and
          delta(n0, n1, 'rx_decrypted') >= n, (n0, n1))
    # the NIC's own count of each SA's session
    # (rte_security_session_stats_get)
    out = gw.cmd('show sa json')
    try:
        sas = json.loads(out[out.index('['):out.rindex(']') + 1])
    except ValueError:
        sas = []
    by = {d: [a for a in sas if a.get('dir') == d] for d in ('in', 'out')}
    nic_out = sum((a.get('nic') or {}).get('packets', 0) for a in by['out'])
    nic_in = sum((a.get('nic') or {}).get('packets', 0) for a in by['in'])
    check('traffic: per SA, the NIC counted its session: out %d (each '
          'what the SA sent), in %d, >= %d each way, bytes with them, '
          'none failed' % (nic_out, nic_in, n),
          len(sas) == 4 and all(a.get('nic') is not None for a in sas) and
          all(a['nic']['packets'] == a['packets'] for a in by['out']) and
          nic_out >= n and nic_in >= n and
          all(a['nic']['failed'] == 0 and
              (a['nic']['bytes'] > 0) == (a['nic']['packets'] > 0)
              for a in sas), out)
    o = gw.cmd('show sa')
    check('show sa: a nic: line part for each inline SA',
          o.count(' nic: packets=') == 4, o)


def case_rekey(gw, charon, topo):
    sas0, _ = gw_sas(gw)
    n0 = nic(gw)
    n = 600
    r, got = udp_across_rekey(gw, topo, 5020, n, 0.005)
    check('rekey: ike rekey sw net under traffic', 'rekeying' in r, r)
    check('rekey: %d of %d datagrams (every 5 ms) arrived, once each, in '
          'order' % (len(got), n), got == list(range(n)),
          'missing %s' % sorted(set(range(n)) - set(got))[:20])
    ok = wait(lambda: nic(gw).get('sessions') == 4 and
              len(gw_sas(gw)[0]) == 4, 15)
    sas1, out = gw_sas(gw)
    n1 = nic(gw)
    check('rekey: new SPIs; the NIC made 4 new sessions and destroyed the '
          '4 old ones (%d made, %d destroyed)' %
          (delta(n0, n1, 'created'), delta(n0, n1, 'destroyed')),
          ok and set(sas1) - set(sas0) and
          delta(n0, n1, 'created') == 4 and
          delta(n0, n1, 'destroyed') == 4, (n1, out))


def case_terminate(gw, charon):
    gw.cmd('ike terminate sw')
    ok = wait(lambda: 'no SAs' in gw.cmd('show sa') and
              nic(gw).get('sessions', -1) == 0, 10)
    n = nic(gw)
    check('terminate: no SAs, no sessions on the NIC (made %s, destroyed '
          '%s)' % (n.get('created'), n.get('destroyed')),
          ok and n.get('created') == n.get('destroyed'), n)
    text = gw.out + gw_log(gw)
    check('no key bytes and no PSK in the shell output or the log',
          gwt.PSK not in text and 'key=' not in text.lower(), '')


def run(h):
    charon = h.charon()
    gw = h.gateway(gwt.ike_section(start='on-demand') + INLINE)
    check('gateway up with inline IPsec on the software inline NIC',
          'inline IPsec on the software inline NIC' in gw.out + gw_log(gw),
          (gw.out + gw_log(gw))[-1500:])
    h.cases(charon, (('outbound', lambda: case_outbound(gw, charon,
                                                        h.topo)),
                     ('traffic', lambda: case_traffic(gw, charon, h.topo)),
                     ('rekey', lambda: case_rekey(gw, charon, h.topo)),
                     ('terminate', lambda: case_terminate(gw, charon))))
    h.finish(gw)


def main():
    return gwt.strongswan_main(__doc__, 'ssinl', run)


if __name__ == '__main__':
    sys.exit(main())
