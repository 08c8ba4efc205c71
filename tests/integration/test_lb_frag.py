#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""The load balancer's fragment path, on pcap ports (no kernel between).

af_packet's socket puts IPv4 fragments together before DPDK sees them
(PACKET_FANOUT_FLAG_DEFRAG), so integ-lb cannot send the gateway an IPv4
fragment. Here the "outside" port is DPDK's net_pcap reading files that
scapy wrote, one per RX queue (workers 1 and 2, control lcore), and
"inside", the lb port (MTU 1400), writes what it sends to files. The
fragments of each datagram are dealt over the three queues, some last
first: ESP by SPI id, ESP in UDP, IKE on 500 and 4500, hashed UDP, IPv4
and IPv6, plus IPv4 fragments that overlap (dropped by reassembly) and
a lone first fragment (never completed). Each datagram must leave
towards its backend's MAC whole (scapy puts the pieces together),
intact, in frames that fit, and exactly once; the lone and overlapping
ones never; the counters of 'show lb json' must say so.
Usage: test_lb_frag.py PATH/TO/shardsec
"""
import collections
import json
import os
import re
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sstopo  # noqa: E402

from scapy.all import (Ether, IP, IPv6, IPv6ExtHdrFragment, UDP, Raw,  # noqa: E402
                       conf, fragment, fragment6, rdpcap, wrpcap, raw)
from scapy.layers.inet import defragment  # noqa: E402
from scapy.layers.inet6 import defragment6  # noqa: E402

conf.verb = 0
# net_pcap's ports take no MAC: it names them 02:70:63:61:70:<n> ("pcap"
# and a counter of its devices); outside is the second one it makes
GWMAC = '02:70:63:61:70:01'
CMAC = '02:00:00:00:0c:01'
BMAC = {1: '02:00:00:00:01:01', 2: '02:00:00:00:01:02'}
IKE_BACKEND = 2
V4, V6 = '198.51.100.10', '2001:db8:2::10'
C4, C6 = '198.51.100.2', '2001:db8:2::2'
SIZE = {4: 3000, 6: 3000}
R = 4
results = []


def check(name, ok, detail=''):
    results.append(bool(ok))
    print('%s: %s%s' % ('PASS' if ok else 'FAIL', name,
                        (' (' + str(detail)[-2000:] + ')')
                        if detail and not ok else ''))
    sys.stdout.flush()


def pattern(n):
    return bytes((i * 7 + 3) & 0xff for i in range(n))


def body(t, fam):
    t = t.encode()
    return t + pattern(SIZE[fam] - len(t))


def l4(kind, k, t, fam):
    if kind == 'esp':
        return 50, Raw(struct.pack('>II', k << 28 | 0x1234, 1) +
                       body(t, fam))
    if kind == 'esp-udp':
        return 17, UDP(sport=4500, dport=4500) / Raw(
            struct.pack('>II', k << 28 | 0x5678, 1) + body(t, fam))
    if kind == 'ike':
        return 17, UDP(sport=k, dport=k) / Raw(
            (bytes(4) if k == 4500 else b'') + bytes(8) + body(t, fam))
    return 17, UDP(sport=30000 + k, dport=9999) / Raw(body(t, fam))


KINDS = (('esp', (1, 2)), ('esp-udp', (1, 2)), ('ike', (500, 4500)),
         ('hash', (0, 1, 2, 3)))


def frames():
    """The three RX queues' frames, and how many datagrams and
    fragments."""
    q = [[], [], []]
    n = nfr = 0
    for fam in (4, 6):
        for kind, keys in KINDS:
            for k in keys:
                for i in range(R):
                    t = 'LBF:%s:%d:%d:%d;' % (kind, fam, k, i)
                    proto, pl = l4(kind, k, t, fam)
                    if fam == 4:
                        fr = fragment(IP(src=C4, dst=V4, proto=proto,
                                         id=0x4000 + n) / pl, fragsize=1000)
                    else:
                        fr = fragment6(IPv6(src=C6, dst=V6, nh=44) /
                                       IPv6ExtHdrFragment(nh=proto,
                                                          id=0x6000 + n) /
                                       pl, 1280)
                    if n % 3 == 0:
                        fr = fr[::-1]
                    # dealt over the queues: the pieces of one datagram
                    # reach different lcores, the control lcore too
                    for j, f in enumerate(fr):
                        q[(n + j) % 3].append(Ether(src=CMAC, dst=GWMAC) /
                                              f)
                    n += 1
                    nfr += len(fr)
    # never whole: a lone first fragment; two that overlap
    lone = IP(src=C4, dst=V4, proto=17, id=0x7001, flags='MF') / \
        UDP(sport=30000, dport=9999) / Raw(b'LBF:lone;' + bytes(1000))
    a = IP(src=C4, dst=V4, proto=17, id=0x7002, flags='MF', frag=0) / \
        Raw(bytes(1008))
    b = IP(src=C4, dst=V4, proto=17, id=0x7002, frag=100) / \
        Raw(b'LBF:overlap;' + bytes(500))
    for f in (lone, a, b):
        q[0].append(Ether(src=CMAC, dst=GWMAC) / f)
    return q, n, nfr + 3


def empty_pcap(path):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))


def config(d):
    rx = ','.join('rx_pcap=%s/o%d.pcap' % (d, i) for i in range(3))
    tx = ','.join('tx_pcap=%s/t%d.pcap' % (d, i) for i in range(3))
    irx = ','.join('rx_pcap=%s/e.pcap' % d for _ in range(3))
    itx = ','.join('tx_pcap=%s/i%d.pcap' % (d, i) for i in range(3))
    return '''# generated by tests/integration/test_lb_frag.py
instance_bits = 4;
poll_mode = "adaptive";
mbufs = 8191;
ports = (
  { name = "inside"; device = "net_pcap_lbi%(tag)s,%(irx)s,%(itx)s";
    mtu = 1400; addresses = ( "192.0.2.1/24" ); },
  { name = "outside"; device = "net_pcap_lbo%(tag)s,%(rx)s,%(tx)s";
    addresses = ( "198.51.100.1/24", "2001:db8:2::1/64" ); }
);
servers = ( { id = 1; lcore = 1; }, { id = 2; lcore = 2; } );
lb = {
  vips = ( "%(v4)s", "%(v6)s" );
  port = "inside";
  ike_backend = %(ike)d;
  health_ms = 0;
  backends = ( { id = 1; mac = "%(m1)s"; }, { id = 2; mac = "%(m2)s"; } );
};
''' % {'tag': os.getpid() % 100000, 'rx': rx, 'tx': tx, 'irx': irx,
       'itx': itx, 'v4': V4, 'v6': V6, 'ike': IKE_BACKEND,
       'm1': BMAC[1], 'm2': BMAC[2]}


def datagrams(pkts):
    """[(tag, family, intact, size)] of the frames to one backend."""
    v4, v6, out = [], collections.defaultdict(list), []
    for p in pkts:
        if IP in p:
            v4.append(p[IP])
        elif IPv6ExtHdrFragment in p:
            v6[(p[IPv6].src, p[IPv6ExtHdrFragment].id)].append(p[IPv6])
    whole = [(4, d) for d in defragment(v4)]
    whole += [(6, defragment6(f)) for f in v6.values()]
    for fam, d in whole:
        if fam == 4 and (d.flags.MF or d.frag):
            out.append((None, 4, False, 0))
            continue
        data = raw(d.payload)
        m = re.search(rb'LBF:[^;]*;', data)
        if m is None:
            out.append((None, fam, False, 0))
            continue
        tail = data[m.end():]
        out.append((m.group(0).decode(), fam, tail == pattern(len(tail)),
                    len(m.group(0)) + len(tail)))
    return out


class Tag:
    tag = str(os.getpid() % 100000)


def main():
    binary = sys.argv[1]
    # short: a device string takes 255 characters
    d = tempfile.mkdtemp(prefix='lf', dir='/tmp')
    gw = None
    try:
        q, ndg, nfr = frames()
        for i in range(3):
            wrpcap('%s/o%d.pcap' % (d, i), q[i])
        empty_pcap('%s/e.pcap' % d)
        gw = sstopo.Gateway(binary, Tag(), config(d))
        # the pcap files are read at once; the lone fragment is let go
        # after the reassembly timeout (2 s)
        js = None
        for _ in range(60):
            time.sleep(0.25)
            o = gw.cmd('show lb json')
            try:
                js = json.loads(o[o.index('{'):o.rindex('}') + 1])
            except ValueError:
                js = None
            if js is not None and \
                    js['fragments']['reasm_dropped'] >= 3 and \
                    js['fragments']['in'] >= nfr:
                break
        o = gw.cmd('show port info outside')
        check('the outside port has the MAC the frames were sent to (%s)'
              % GWMAC, ('MAC address: ' + GWMAC).upper() in o.upper(), o)
        fr = js.get('fragments', {}) if js else {}
        kinds = js['totals']['kinds'] if js else {}
        check('all %d fragments taken by the workers and handed on '
              '(%s)' % (nfr, fr), fr.get('in') == nfr, js)
        check('%d datagrams whole again, the overlapping and the lone one '
              'not (%s)' % (ndg, fr),
              fr.get('reassembled') == ndg and
              fr.get('datagrams') == ndg and fr.get('dropped') == 0 and
              fr.get('reasm_dropped', 0) == 3, fr)
        check('each datagram counted once, by kind (%s)' % kinds,
              kinds.get('esp') == 2 * 2 * R and
              kinds.get('esp-udp') == 2 * 2 * R and
              kinds.get('ike') == 2 * 2 * R and
              kinds.get('hash') == 2 * 4 * R, kinds)
        rc, err = gw.stop()
        gw = None
        check('clean exit, no sanitizer report',
              rc == 0 and 'Sanitizer' not in err, err[-2000:])
        sent = []
        for i in range(3):
            path = '%s/i%d.pcap' % (d, i)
            if os.path.getsize(path) > 24:
                sent += list(rdpcap(path))
        by_mac = collections.defaultdict(list)
        for p in sent:
            by_mac[p[Ether].dst].append(p)
        check('frames to the two backends\' MACs only (%s)'
              % sorted(by_mac), set(by_mac) <= set(BMAC.values()),
              sorted(by_mac))
        check('every frame fits the lb port\'s MTU of 1400 (largest %d)'
              % max(len(p) for p in sent),
              sent and all(len(p) <= 1414 for p in sent))
        check('frames out: %d (fr.sent %s)' % (len(sent), fr.get('sent')),
              len(sent) == fr.get('sent'))
        where = collections.defaultdict(list)
        bad = []
        for k, mac in BMAC.items():
            for t, fam, ok, size in datagrams(by_mac.get(mac, [])):
                if t is None or not ok or size != SIZE[fam]:
                    bad.append((k, t, fam, ok, size))
                else:
                    where[t].append(k)
        check('every datagram out is whole and intact', not bad, bad)
        for kind, keys in KINDS:
            for fam in (4, 6):
                for key in keys:
                    tags = ['LBF:%s:%d:%d:%d;' % (kind, fam, key, i)
                            for i in range(R)]
                    if kind == 'hash':
                        ok = all(len(where[t]) == 1 for t in tags)
                        want = 'one backend'
                    else:
                        b = key if kind != 'ike' else IKE_BACKEND
                        ok = all(where[t] == [b] for t in tags)
                        want = 'b%d only' % b
                    check('%s IPv%d %d: %d datagrams, each once, on %s'
                          % (kind, fam, key, R, want), ok,
                          {t: where[t] for t in tags})
        check('the lone first fragment and the overlapping pair never '
              'leave', 'LBF:lone;' not in where and
              'LBF:overlap;' not in where, dict(where))
    finally:
        if gw is not None:
            gw.stop()
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        os.rmdir(d)
    print('%d/%d checks passed' % (sum(results), len(results)))
    return 0 if results and all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
