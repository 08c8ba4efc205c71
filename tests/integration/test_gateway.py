#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""Foundation integration test: shardsec between two namespaces.

Ping (IPv4/IPv6) of the gateway's own addresses and through it, ARP/ND
resolved at run time, a TCP transfer each way checked by SHA-256, the
shell over a pipe, malformed frames counted per reason, clean exit.
Usage: test_gateway.py PATH/TO/shardsec
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sstopo  # noqa: E402
from sstopo import INSIDE, OUTSIDE, sh  # noqa: E402

results = []


def check(name, ok, detail=''):
    results.append((name, bool(ok)))
    print('%s: %s%s' % ('PASS' if ok else 'FAIL', name,
                        (' (' + detail + ')') if detail and not ok else ''))
    sys.stdout.flush()


def ping(ns, addr, count=3, size=56):
    six = ':' in addr
    r = sh(['ping', '-6' if six else '-4', '-c', str(count), '-i', '0.2',
            '-W', '2', '-s', str(size), addr], ns=ns, check=False,
           timeout=30)
    m = re.search(r'(\d+) received', r.stdout)
    return int(m.group(1)) if m else 0, r.stdout


SERVER = r'''
import hashlib, socket, sys
fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
print('listening', flush=True)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    h.update(d); n += len(d)
print(n, h.hexdigest(), flush=True)
'''

CLIENT = r'''
import socket, sys, os
fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
c = socket.socket(fam, socket.SOCK_STREAM); c.settimeout(30)
c.connect((sys.argv[1], int(sys.argv[2])))
data = bytes.fromhex(sys.argv[3]) * (int(sys.argv[4]) // 32)
c.sendall(data); c.close()
'''


def tcp_transfer(src_ns, dst_ns, dst_addr, port, size=2 * 1024 * 1024):
    seed = hashlib.sha256(str(port).encode()).hexdigest()
    srv = subprocess.Popen(['ip', 'netns', 'exec', dst_ns, '/usr/bin/python3',
                            '-c', SERVER, dst_addr, str(port)],
                           stdout=subprocess.PIPE, text=True)
    try:
        srv.stdout.readline()
        t0 = time.time()
        cl = sh(['/usr/bin/python3', '-c', CLIENT, dst_addr, str(port), seed,
                 str(size)], ns=src_ns, check=False, timeout=60)
        out, _ = srv.communicate(timeout=60)
        dt = time.time() - t0
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()
    want = hashlib.sha256(bytes.fromhex(seed) * (size // 32)).hexdigest()
    got = out.split()
    ok = cl.returncode == 0 and len(got) == 2 and got[0] == str(size) \
        and got[1] == want
    return ok, '%s; %.1f Mbit/s' % (out.strip() or cl.stderr.strip(),
                                     size * 8 / dt / 1e6 if dt else 0)


def counters(gw):
    out = gw.cmd('show stats')
    return {k: int(v) for k, v in re.findall(r'^\s+(\w+)\s+(\d+)\s*$', out,
                                              re.M)}


MALFORMED = r'''
import sys
from scapy.all import Ether, IP, IPv6, ARP, UDP, Raw, sendp, conf
conf.verb = 0
gw = sys.argv[1]
me = sys.argv[2]
e = Ether(dst=gw, src=me, type=0x0800)
good = IP(src="192.0.2.2", dst="198.51.100.2") / UDP(sport=1, dport=9) / Raw(b"x" * 20)
raw = bytes(good)
frames = {
    "ethertype": bytes(Ether(dst=gw, src=me, type=0x88b5)) + b"z" * 46,
    "ip4_hdrlen": bytes(e) + bytes([0x43]) + raw[1:],
    "ip4_totlen": bytes(e) + raw[:2] + b"\x0f\xff" + raw[4:],
    "ip4_csum": bytes(e) + raw[:10] + b"\x12\x34" + raw[12:],
    "ip4_version": bytes(e) + bytes([0x75]) + raw[1:],
    "ip4_trunc": bytes(e) + raw[:12],
    "ip6_trunc": bytes(Ether(dst=gw, src=me, type=0x86dd)) + bytes(IPv6(src="2001:db8:1::2", dst="2001:db8:2::2") / UDP() / Raw(b"y" * 8))[:20],
    "ip6_plen": bytes(Ether(dst=gw, src=me, type=0x86dd)) + bytes(IPv6(src="2001:db8:1::2", dst="2001:db8:2::2", plen=900) / UDP() / Raw(b"y" * 8)),
    "arp_malformed": bytes(Ether(dst="ff:ff:ff:ff:ff:ff", src=me, type=0x0806)) + bytes(ARP(pdst="192.0.2.1"))[:12],
}
n = int(sys.argv[3])
for name, f in frames.items():
    sendp([Raw(f)] * n, iface="eth0")
print(" ".join(frames))
'''


# N frames of 1428 bytes, DF set, to 203.0.113.1 through the gateway, as
# fast as a raw socket takes them; prints the seconds it took
FLOOD_DF = r'''
import socket, sys, time
from scapy.all import Ether, IP, UDP, Raw
f = bytes(Ether(dst=sys.argv[1], src=sys.argv[2]) /
          IP(src="192.0.2.2", dst="203.0.113.1", flags="DF") /
          UDP(sport=7, dport=9) / Raw(b"x" * 1400))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
t = time.monotonic()
for i in range(int(sys.argv[3])):
    s.send(f)
print(time.monotonic() - t)
'''


# IPv6 to the gateway with a routing header: one that names a further
# hop (segments left 1) must come back as a parameter problem pointing at
# its routing type (RFC 8200 4.4); one with no segments left is read past,
# also in front of a fragment header: an echo request in 2 fragments
# behind it gets its reply. Prints one JSON line.
RH_PROBE = r'''
import json, sys, time
from scapy.all import (AsyncSniffer, Ether, IPv6, IPv6ExtHdrRouting,
                       IPv6ExtHdrFragment, ICMPv6EchoRequest,
                       ICMPv6EchoReply, ICMPv6ParamProblem, UDP, Raw,
                       conf, fragment6, sendp)
conf.verb = 0
gw_mac, me, gw, host = sys.argv[1:5]
e = Ether(dst=gw_mac, src=me)
s = AsyncSniffer(iface="eth0", filter="icmp6 and src host " + gw)
s.start()
time.sleep(0.5)
probe = IPv6(src=host, dst=gw) / IPv6ExtHdrRouting(
    segleft=1, addresses=["2001:db8:3::1"]) / UDP(sport=5555, dport=500) / \
    Raw(b"r" * 40)
sendp(e / probe, iface="eth0")
big = IPv6(src=host, dst=gw) / IPv6ExtHdrRouting(segleft=0, addresses=[]) / \
    IPv6ExtHdrFragment(id=0x5151) / ICMPv6EchoRequest(id=0x77, seq=1,
                                                      data=b"f" * 1200)
frags = fragment6(big, 700)
sendp([e / f for f in frags], iface="eth0")
time.sleep(1.5)
got = s.stop()
out = {"frags": len(frags), "pp": [], "replies": 0}
for p in got:
    if ICMPv6ParamProblem in p:
        q = p[ICMPv6ParamProblem]
        out["pp"].append([p[IPv6].src, q.code, q.ptr,
                          UDP in q and q[UDP].sport == 5555])
    if ICMPv6EchoReply in p and p[ICMPv6EchoReply].id == 0x77:
        out["replies"] += 1
print(json.dumps(out))
'''


def rh_case(gw, topo):
    """Routing headers on IPv6 packets to the gateway (RFC 8200 4.4)."""
    gw.cmd('clear stats')
    gw_mac = sh(['cat', '/sys/class/net/%s/address' %
                 topo.gw_in]).stdout.strip()
    me = sh(['cat', '/sys/class/net/eth0/address'],
            ns=topo.ns_in).stdout.strip()
    r = sh(['/usr/bin/python3', '-c', RH_PROBE, gw_mac, me, INSIDE['gw6'],
            INSIDE['host6']], ns=topo.ns_in, check=False, timeout=60)
    try:
        res = json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        res = {}
    st = gw.cmd('show stats')
    pp = res.get('pp', [])
    check('routing header with segments left 1 to the gateway: parameter '
          'problem code 0, pointer 42, quoting the UDP packet (%s)' % pp,
          pp == [[INSIDE['gw6'], 0, 42, True]] and
          stat(st, 'icmp_param_problem_sent') == 1 and
          stat(st, 'ip6_routing_hdr') == 1,
          r.stdout[-500:] + r.stderr[-500:] +
          str([l for l in st.splitlines() if 'routing' in l or 'param' in l]))
    check('echo request in %s fragments behind a routing header with no '
          'segments left: reassembled and answered (%s)' %
          (res.get('frags'), res.get('replies')),
          res.get('frags', 0) >= 2 and res.get('replies') == 1 and
          stat(st, 'reasm_done') == 1 and stat(st, 'ip6_frag_to_us') == 0,
          r.stdout[-500:] + str([l for l in st.splitlines()
                                 if 'reasm' in l or 'frag' in l]))


def stat(text, name):
    """A counter of 'show stats' (-1: not there)."""
    m = re.search(r'^\s+%s\s+(\d+)' % name, text, re.M)
    return int(m.group(1)) if m else -1


def mtu_case(binary, topo):
    """The outside link at MTU 1400, the inside one at 1500: transit
    packets above it are fragmented (IPv4, DF clear) or answered with
    "frag needed" / "packet too big" carrying 1400, not dropped unseen."""
    cfg = topo.config(extra='icmp_rate = 200;')
    dev = '{ name = "outside"; '
    assert dev in cfg
    try:
        bad = sstopo.Gateway(binary, topo,
                             cfg.replace(dev, dev + 'mtu = 9000; '))
        bad.stop()
        err = 'started'
    except RuntimeError as e:
        err = str(e)
    check('mtu 9000 on af_packet: refused, saying what the device takes',
          'port outside: mtu 9000 is above what device net_af_packet '
          'takes (1500)' in err, err[-600:])
    sh(['ip', 'link', 'set', 'eth0', 'mtu', '1400'], ns=topo.ns_out)
    gw = sstopo.Gateway(binary, topo, cfg.replace(dev, dev + 'mtu = 1400; '))
    try:
        # DF clear: cut in two on the way, put together by the host
        gw.cmd('clear stats')
        r = sh(['ping', '-4', '-M', 'dont', '-c', '3', '-i', '0.2', '-W',
                '2', '-s', '1400', OUTSIDE['host4']], ns=topo.ns_in,
               check=False, timeout=30)
        m = re.search(r'(\d+) received', r.stdout)
        n, out = int(m.group(1)) if m else 0, r.stdout
        st = gw.cmd('show stats')
        check('MTU 1400, IPv4 DF clear 1428 bytes: fragmented by the '
              'gateway, answered (%d of 3)' % n, n == 3 and
              stat(st, 'fwd_fragmented') >= 3 and
              stat(st, 'fwd_frag_pieces') == 2 * stat(st, 'fwd_fragmented'),
              out[-300:] + str([l for l in st.splitlines()
                                if 'frag' in l or 'big' in l]))
        # DF set: "fragmentation needed" with the MTU
        gw.cmd('clear stats')
        r = sh(['ping', '-4', '-M', 'do', '-c', '3', '-i', '0.2', '-W', '2',
                '-s', '1400', OUTSIDE['far4']], ns=topo.ns_in, check=False,
               timeout=30)
        st = gw.cmd('show stats')
        check('MTU 1400, IPv4 DF set: "frag needed" with mtu 1400 back '
              'to the sender', re.search(r'mtu ?= ?1400', r.stdout +
                                         r.stderr) is not None and
              stat(st, 'icmp_too_big_sent') >= 1 and
              stat(st, 'fwd_fragmented') == 0,
              r.stdout[-400:] + r.stderr[-200:] +
              str([l for l in st.splitlines() if 'big' in l]))
        # IPv6: "packet too big"; the host then fragments its own
        gw.cmd('clear stats')
        n, out = ping(topo.ns_in, OUTSIDE['far6'], count=4, size=1400)
        st = gw.cmd('show stats')
        check('MTU 1400, IPv6: "packet too big" with mtu 1400, then the '
              'host\'s own fragments go through (%d of 4)' % n,
              re.search(r'mtu ?= ?1400', out) is not None and n >= 2 and
              stat(st, 'icmp_too_big_sent') >= 1,
              out[-400:] + str([l for l in st.splitlines() if 'big' in l]))
        check('no drop for the MTU (%d)' % stat(st, 'mtu_exceeded'),
              stat(st, 'mtu_exceeded') == 0, st)
        # a flood of them: the ICMP errors keep to the rate limit
        gw.cmd('clear stats')
        gw_mac = sh(['cat', '/sys/class/net/%s/address' %
                     topo.gw_in]).stdout.strip()
        me = sh(['cat', '/sys/class/net/eth0/address'],
                ns=topo.ns_in).stdout.strip()
        t0 = time.monotonic()
        r = sh(['/usr/bin/python3', '-c', FLOOD_DF, gw_mac, me, '2000'],
               ns=topo.ns_in, timeout=60)
        secs = float(r.stdout.strip().splitlines()[-1])
        time.sleep(0.5)
        st = gw.cmd('show stats')
        # the most the bucket can have let through: its burst, and what
        # it refilled while the frames were on their way (an upper bound:
        # from before the sender started until the counters were read)
        most = 20 + 200 * (time.monotonic() - t0) + 1
        sent, lim = stat(st, 'icmp_too_big_sent'), stat(st, 'icmp_rate_limited')
        print('    FIGURE: 2000 too-big frames in %.2f s: %d ICMP errors sent, '
              '%d held back by the rate limit (icmp_rate 200)' %
              (secs, sent, lim))
        check('2000 too-big frames in %.2f s: ICMP errors within icmp_rate '
              '200/s and its burst of 20 (%d sent, %d limited)' %
              (secs, sent, lim),
              lim > 0 and sent <= most and
              sent + lim == stat(st, 'fwd_too_big'),
              [l for l in st.splitlines() if 'big' in l or 'rate' in l or
               'punt' in l])
        # the same counters through rte_telemetry, by section
        tool = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            '..', '..', 'usertools', 'ss-telemetry.py')
        tel = sh(['/usr/bin/python3', tool, '-f', 'ss' + topo.tag,
                  '/shardsec/stats'], check=False).stdout
        try:
            ts = json.loads(tel)['/shardsec/stats']
            tctl = ts['control']
        except (ValueError, KeyError, TypeError):
            ts, tctl = {}, {}
        check('telemetry /shardsec/stats: the sections of show stats, '
              'control fwd_too_big %s = %d' % (tctl.get('fwd_too_big'),
                                               stat(st, 'fwd_too_big')),
              {'workers', 'control', 'drops'} <= set(ts) and
              tctl.get('fwd_too_big') == stat(st, 'fwd_too_big') and
              tctl.get('icmp_rate_limited') == lim and
              ts['drops'].get('mtu_exceeded') == 0, tel[-1500:])
    finally:
        rc, err = gw.stop()
        check('MTU case: clean exit', rc == 0 and 'Sanitizer' not in err,
              err[-1500:])
        sh(['ip', 'link', 'set', 'eth0', 'mtu', '1500'], ns=topo.ns_out)
        sh(['ip', 'link', 'set', topo.gw_out, 'mtu', '1500'])


def main():
    binary = sys.argv[1]
    if os.geteuid() != 0:
        print('FAIL: the integration tests need root (netns, veth)')
        return 1
    topo = sstopo.Topology()
    gw = None
    try:
        topo.up()
        gw = sstopo.Gateway(binary, topo, topo.config())
        check('gateway started with 2 servers',
              '2 server(s) on 2 worker lcore(s)' in gw.out, gw.out[-500:])

        for ns, side in ((topo.ns_in, INSIDE), (topo.ns_out, OUTSIDE)):
            for fam in ('gw4', 'gw6'):
                n, out = ping(ns, side[fam])
                check('ping gateway %s from %s' % (side[fam], ns), n == 3,
                      out[-300:])
        # 1600-byte echo requests arrive in fragments (IPv6: the
        # gateway reassembles them; IPv4: af_packet's kernel side
        # already has) and the replies leave in fragments
        for fam in ('gw4', 'gw6'):
            n, out = ping(topo.ns_in, INSIDE[fam], size=1600)
            check('ping -s 1600 gateway %s: fragmented both ways' %
                  INSIDE[fam], n == 3, out[-300:])
        st = gw.cmd('show stats')
        m = re.search(r'^\s+reasm_done\s+(\d+)', st, re.M)
        check('the IPv6 requests were reassembled by the gateway (%s)' %
              (m.group(1) if m else None), m and int(m.group(1)) >= 3,
              [l for l in st.splitlines() if 'reasm' in l])
        for dst in ('host4', 'host6', 'far4', 'far6'):
            n, out = ping(topo.ns_in, OUTSIDE[dst], count=5)
            check('ping %s through the gateway' % OUTSIDE[dst], n == 5,
                  out[-300:])
        neigh = gw.cmd('show neigh')
        check('ARP resolved the outside host',
              re.search(r'198\.51\.100\.2\s+\S+\s+outside\s+reachable',
                        neigh) is not None, neigh)
        check('ND resolved the inside host',
              re.search(r'2001:db8:1::2\s+\S+\s+inside\s+reachable',
                        neigh) is not None, neigh)
        for i, (src, dst, addr) in enumerate((
                (topo.ns_in, topo.ns_out, OUTSIDE['host4']),
                (topo.ns_out, topo.ns_in, INSIDE['host4']),
                (topo.ns_in, topo.ns_out, OUTSIDE['host6']),
                (topo.ns_out, topo.ns_in, INSIDE['host6']))):
            ok, detail = tcp_transfer(src, dst, addr, 5001 + i)
            check('TCP 2 MiB to %s intact' % addr, ok, detail)
            print('  ' + detail)

        route = gw.cmd('show route')
        check('show route lists connected and static routes',
              '192.0.2.0/24' in route and '203.0.113.0/24' in route and
              'connected' in route and 'static' in route, route)
        lc = gw.cmd('show lcores')
        check('show lcores shows control and two workers',
              'control' in lc and 'worker 0' in lc and 'worker 1' in lc, lc)
        info = gw.cmd('show port info 1')
        check('show port info 1', 'outside' in info and
              '198.51.100.1/24' in info, info)
        bad = gw.cmd('show port info 7')
        check('bad port id is an error', 'error: show port info: no port 7'
              in bad, bad)

        before = counters(gw)
        mac_out = sh(['cat', '/sys/class/net/%s/address' % topo.gw_in]).stdout
        me = sh(['cat', '/sys/class/net/eth0/address'], ns=topo.ns_in).stdout
        r = sh(['/usr/bin/python3', '-c', MALFORMED, mac_out.strip(),
                me.strip(), '5'], ns=topo.ns_in, check=False, timeout=60)
        check('malformed frames sent', r.returncode == 0, r.stderr[-500:])
        time.sleep(1)
        after = counters(gw)
        # (A frame shorter than 14 bytes cannot be sent on veth: the runt
        # counter is covered by the unit suite.)
        for name in ('ethertype', 'ip4_hdrlen', 'ip4_totlen', 'ip4_csum',
                     'ip4_version', 'ip4_trunc', 'ip6_trunc', 'ip6_plen',
                     'arp_malformed'):
            d = after.get(name, 0) - before.get(name, 0)
            check('malformed %s counted (5 sent)' % name, d == 5,
                  'delta %d; counters: %s' % (d, {k: v for k, v in
                                                  after.items() if v}))
        n, out = ping(topo.ns_in, OUTSIDE['host4'])
        check('still forwarding after malformed input', n == 3, out)
        rh_case(gw, topo)
        rc, err = gw.stop()
        gw = None
        check('clean exit on quit (status 0)', rc == 0, err[-1500:])
        check('no sanitizer report', 'Sanitizer' not in err, err[-3000:])
        mtu_case(binary, topo)
    finally:
        if gw is not None:
            rc, err = gw.stop()
            check('clean exit on quit (status 0)', rc == 0, err[-1500:])
            check('no sanitizer report', 'Sanitizer' not in err, err[-3000:])
        topo.close()
    failed = sum(1 for _, ok in results if not ok)
    print('%d passed, %d failed' % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
