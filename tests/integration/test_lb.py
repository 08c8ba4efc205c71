#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""The load balancer role, end to end (direct server return).

client (netns) --eth0-- [outside] shardsec [inside] --+-- segment (netns,
client --seg0------------------------------------------+   Linux bridge)
                                                       +-- b1 (id 1)
                                                       +-- b2 (id 2)

b1 and b2 hold the VIPs on their loopback (arp_ignore=1, arp_announce=2,
as for IPVS-DR) and have the MACs the 'lb' section names. The client
sends to the VIPs through the gateway: ESP (SPI ids 1, 2; IPv4 and IPv6),
ESP in UDP 4500, GTP-U G-PDUs (TEID ids), SCTP DATA (vtag ids), IKE on
UDP 500 and 4500 with the zero marker, plain UDP flows, and ESP of an id
with no backend. Each backend captures what reaches it. Then the same
kinds as IP fragments (IPv4 and IPv6, some sent last fragment first):
each datagram must reach its backend whole, cut again to fit the
segment, and no fragment of it the other. Then a UDP echo
service on both backends answers from the VIP straight to the client
(its seg0 interface): the reply never crosses the gateway.
Usage: test_lb.py PATH/TO/shardsec
"""
import collections
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lbfrag  # noqa: E402
import sstopo  # noqa: E402
from sstopo import sh  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
VIP4, VIP6 = '198.51.100.10', '2001:db8:2::10'
CLIENT4, CLIENT6 = '198.51.100.2', '2001:db8:2::2'
SEG_CLIENT4, SEG_CLIENT6 = '10.9.0.100', 'fd00:9::100'
BMAC = {1: '02:00:00:00:01:01', 2: '02:00:00:00:01:02',
        3: '02:00:00:00:01:03'}
HEALTH_MS, FALL, RISE = 200, 3, 2
IKE_BACKEND = 2          # not the first backend: the setting is used
UNKNOWN_ID = 5           # < 2^instance_bits, names no backend
N = 100                  # packets per id, kind and family
M = 10                   # IKE packets per port and family
FLOWS, PER_FLOW = 16, 5
NUNK = 25
results = []


def check(name, ok, detail=''):
    results.append(bool(ok))
    print('%s: %s%s' % ('PASS' if ok else 'FAIL', name,
                        (' (' + str(detail)[-2000:] + ')')
                        if detail and not ok else ''))
    sys.stdout.flush()


SEND = r'''
import sys, random
from scapy.all import Ether, IP, IPv6, UDP, Raw, sendp, conf
from scapy.layers.sctp import SCTP, SCTPChunkData
conf.verb = 0
gwmac, N, M, FLOWS, PER, NUNK, UNK = sys.argv[1], *map(int, sys.argv[2:8])
V4, V6, C4, C6 = "198.51.100.10", "2001:db8:2::10", "198.51.100.2", "2001:db8:2::2"
random.seed(11)
def tag(kind, fam, k, i):
    return ("LB:%s:%d:%d:%d;" % (kind, fam, k, i)).encode()
def ip(fam, **kw):
    return IP(src=C4, dst=V4, ttl=64, **kw) if fam == 4 else \
        IPv6(src=C6, dst=V6, hlim=64, **({"nh": kw["proto"]} if kw else {}))
def idv(k):
    # ss_steer_spi_make layout, instance_bits 4: id in the 4 high bits,
    # never 0..255
    return (k << 28) | random.randrange(0x100, 1 << 28)
fr = []
for fam in (4, 6):
    for k in (1, 2):
        for i in range(N):
            spi = idv(k).to_bytes(4, "big")
            fr.append(Ether(dst=gwmac) / ip(fam, proto=50) /
                      Raw(spi + (i + 1).to_bytes(4, "big") + tag("esp", fam, k, i)))
            fr.append(Ether(dst=gwmac) / ip(fam) / UDP(sport=4500, dport=4500) /
                      Raw(spi + (i + 1).to_bytes(4, "big") + tag("esp-udp", fam, k, i)))
            pl = tag("gtpu", fam, k, i)
            gtp = bytes([0x30, 0xff]) + len(pl).to_bytes(2, "big") + \
                idv(k).to_bytes(4, "big") + pl
            fr.append(Ether(dst=gwmac) / ip(fam) / UDP(sport=2152, dport=2152) /
                      Raw(gtp))
            fr.append(Ether(dst=gwmac) / ip(fam) /
                      SCTP(sport=36412, dport=36412, tag=idv(k)) /
                      SCTPChunkData(data=tag("sctp", fam, k, i)))
    for i in range(M):
        fr.append(Ether(dst=gwmac) / ip(fam) / UDP(sport=500, dport=500) /
                  Raw(bytes(8) + tag("ike", fam, 500, i)))
        fr.append(Ether(dst=gwmac) / ip(fam) / UDP(sport=4500, dport=4500) /
                  Raw(bytes(4) + bytes(8) + tag("ike", fam, 4500, i)))
    for f in range(FLOWS):
        for i in range(PER):
            fr.append(Ether(dst=gwmac) / ip(fam) /
                      UDP(sport=20000 + f, dport=9999) /
                      Raw(tag("hash", fam, f, i)))
    for i in range(NUNK):
        fr.append(Ether(dst=gwmac) / ip(fam, proto=50) /
                  Raw(idv(UNK).to_bytes(4, "big") + (i + 1).to_bytes(4, "big") +
                      tag("unknown", fam, UNK, i)))
random.shuffle(fr)
sendp(fr, iface="eth0", inter=0.001)
print(len(fr))
'''

SNIFF = r'''
import sys, json, re
from scapy.all import AsyncSniffer, Ether, IP, IPv6, conf
conf.verb = 0
s = AsyncSniffer(iface="eth0",
                 filter="dst host 198.51.100.10 or dst host 2001:db8:2::10",
                 started_callback=lambda: print("ready", flush=True))
s.start()
sys.stdin.readline()
s.stop()
out = []
for p in s.results:
    m = re.search(rb"LB:[^;]*;", bytes(p))
    if IP in p:
        dst, ttl = p[IP].dst, p[IP].ttl
    elif IPv6 in p:
        dst, ttl = p[IPv6].dst, p[IPv6].hlim
    else:
        continue
    out.append([m.group(0).decode() if m else None, p[Ether].dst, dst, ttl])
print(json.dumps(out), flush=True)
'''

# Datagrams to the VIPs sent as IP fragments, every third one last
# fragment first: IPv6, 3000 bytes in fragments of 1280; IPv4, 1800 bytes
# in fragments of 1000 (af_packet's socket puts IPv4 together before
# DPDK sees it, PACKET_FANOUT_FLAG_DEFRAG: the gateway then has a whole
# datagram above the lb port's MTU of 1400 to cut). Payload: the tag,
# then bytes of a known pattern. Then an IPv4 packet with DF set and an
# IPv6 one, 1428 and 1448 bytes, which fit the client's link (1500) but
# not the lb port: answered with ICMP "too big" (MTU 1400), captured
# here.
FSEND = r'''
import sys, json, time
sys.path.insert(0, sys.argv[3])
import lbfrag
from scapy.all import (Ether, IP, IPv6, UDP, Raw, sendp, conf, AsyncSniffer,
                       ICMP, ICMPv6PacketTooBig)
conf.verb = 0
gwmac, R = sys.argv[1], int(sys.argv[2])
SIZE = {4: 1800, 6: 3000}
out, n = [], 0
for fam in (4, 6):
    for kind, keys in lbfrag.KINDS:
        for k in keys:
            for i in range(R):
                fr = lbfrag.fragments(kind, fam, k, i, n, SIZE[fam],
                                      1000 if fam == 4 else 1280)
                n += 1
                out += [Ether(dst=gwmac) / f for f in fr]
sn = AsyncSniffer(iface="eth0", filter="icmp or icmp6")
sn.start()
sendp(out, iface="eth0", inter=0.002)
big = [Ether(dst=gwmac) / IP(src=lbfrag.C4, dst=lbfrag.V4, flags="DF") /
       UDP(sport=31000, dport=9999) / Raw(bytes(1400)),
       Ether(dst=gwmac) / IPv6(src=lbfrag.C6, dst=lbfrag.V6) /
       UDP(sport=31000, dport=9999) / Raw(bytes(1400))]
sendp(big, iface="eth0", inter=0.2)
time.sleep(1)
sn.stop()
icmp = []
for p in sn.results:
    if ICMP in p and p[ICMP].type == 3 and p[ICMP].code == 4:
        icmp.append([4, p[IP].src, p[ICMP].nexthopmtu])
    elif ICMPv6PacketTooBig in p:
        icmp.append([6, p[IPv6].src, p[ICMPv6PacketTooBig].mtu])
print(json.dumps([n, len(out), icmp]))
'''

# What each backend got of FSEND's datagrams (lbfrag.datagrams), and the
# largest frame that carried them.
FSNIFF = r'''
import sys, json
sys.path.insert(0, sys.argv[1])
import lbfrag
from scapy.all import AsyncSniffer, conf
conf.verb = 0
s = AsyncSniffer(iface="eth0",
                 filter="dst host 198.51.100.10 or dst host 2001:db8:2::10",
                 started_callback=lambda: print("ready", flush=True))
s.start()
sys.stdin.readline()
s.stop()
big = max((len(p) for p in s.results), default=0)
print(json.dumps([lbfrag.datagrams(s.results), big]), flush=True)
'''

# Answers from the VIP (bound to it: an unbound socket would answer from
# the host's own address) with its backend's name appended.
ECHO = r'''
import socket, select, sys
name = sys.argv[1].encode()
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4.bind(("198.51.100.10", 7777))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.bind(("2001:db8:2::10", 7777))
print("ready", flush=True)
while True:
    r, _, _ = select.select([s4, s6], [], [])
    for s in r:
        d, a = s.recvfrom(2048)
        s.sendto(d + b"|" + name, a)
'''

CLIENT = r'''
import socket, json, sys, time
FLOWS = int(sys.argv[1])
res = []
for fam, vip in ((socket.AF_INET, "198.51.100.10"),
                 (socket.AF_INET6, "2001:db8:2::10")):
    socks = []
    for f in range(FLOWS):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.settimeout(0.5)
        socks.append(s)
    for rnd in range(3):
        for f, s in enumerate(socks):
            s.sendto(b"echo-%d-%d-%d" % (fam, f, rnd), (vip, 7777))
            try:
                d, a = s.recvfrom(2048)
                res.append([fam == socket.AF_INET6, f, s.getsockname()[1],
                            a[0], d.decode()])
            except socket.timeout:
                res.append([fam == socket.AF_INET6, f, s.getsockname()[1],
                            None, None])
print(json.dumps(res))
'''


# The same flows every run (fixed source ports, from 31000 and 32000 +
# the offset), so that where each one lands can be compared across
# backend changes. Prints [v6, flow, who].
CLIENT_FIXED = r"""
import socket, json, sys
FLOWS, OFF = int(sys.argv[1]), int(sys.argv[2])
res = []
for v6, fam, vip, base in ((0, socket.AF_INET, "198.51.100.10", 31000 + OFF),
                           (1, socket.AF_INET6, "2001:db8:2::10", 32000 + OFF)):
    for f in range(FLOWS):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", base + f))
        s.settimeout(0.5)
        who = None
        for rnd in range(3):
            s.sendto(b"fixed-%d-%d-%d" % (v6, f, rnd), (vip, 7777))
            try:
                d, a = s.recvfrom(2048)
                if a[0] == vip:
                    who = d.decode().rsplit("|", 1)[1]
                    break
            except socket.timeout:
                pass
        s.close()
        res.append([v6, f, who])
print(json.dumps(res))
"""

# ESP to the IPv4 VIP with an SPI of instance-id k.
ESP_TO = r"""
import sys
from scapy.all import Ether, IP, Raw, sendp, conf
conf.verb = 0
gwmac, k, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
spi = ((k << 28) | 0x1234567).to_bytes(4, "big")
sendp([Ether(dst=gwmac) /
       IP(src="198.51.100.2", dst="198.51.100.10", proto=50) /
       Raw(spi + (i + 1).to_bytes(4, "big") + bytes(32)) for i in range(n)],
      iface="eth0", inter=0.002)
"""

class LbTopo:
    """client, segment (bridge), b1, b2; the gateway's veth ends in the
    root namespace (DPDK af_packet). Removed by close(), even after
    errors."""

    def __init__(self):
        self.tag = str(os.getpid() % 100000)
        t = self.tag
        self.ns_c, self.ns_seg = 'sslc' + t, 'ssls' + t
        self.ns_b = {1: 'sslb1' + t, 2: 'sslb2' + t}
        self.gw_in, self.gw_out = 'sslgi' + t, 'sslgo' + t
        self.made = []

    def netns(self, ns):
        sh(['ip', 'netns', 'add', ns])
        self.made.append(('ns', ns))
        sh(['ip', 'link', 'set', 'lo', 'up'], ns=ns)

    def up(self):
        c, seg = self.ns_c, self.ns_seg
        for ns in (c, seg, self.ns_b[1], self.ns_b[2]):
            self.netns(ns)
        # client: eth0 to the gateway's "outside" port
        sh(['ip', 'link', 'add', self.gw_out, 'type', 'veth', 'peer',
            'name', 'eth0', 'netns', c])
        self.made.append(('link', self.gw_out))
        # the segment: a bridge joining the gateway's "inside" port,
        # the backends and the client's second interface
        sh(['ip', 'link', 'add', 'br0', 'type', 'bridge'], ns=seg)
        sh(['ip', 'link', 'add', self.gw_in, 'type', 'veth', 'peer',
            'name', 'gw', 'netns', seg])
        self.made.append(('link', self.gw_in))
        for gw in (self.gw_in, self.gw_out):
            sh(['sysctl', '-qw', 'net.ipv6.conf.%s.disable_ipv6=1' % gw])
            sh(['ip', 'link', 'set', gw, 'up'])
        sh(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1'], ns=seg)
        ports = ['gw']
        for k, ns in self.ns_b.items():
            sh(['ip', 'link', 'add', 'b%d' % k, 'type', 'veth', 'peer',
                'name', 'eth0', 'netns', ns], ns=seg)
            ports.append('b%d' % k)
        sh(['ip', 'link', 'add', 'cl', 'type', 'veth', 'peer', 'name',
            'seg0', 'netns', c], ns=seg)
        ports.append('cl')
        for p in ports:
            sh(['ip', 'link', 'set', p, 'master', 'br0'], ns=seg)
            sh(['ip', 'link', 'set', p, 'up'], ns=seg)
        sh(['ip', 'link', 'set', 'br0', 'up'], ns=seg)
        # known MACs: frames go to their backend's port only (no
        # flooding to hide a wrong destination MAC from the checks)
        for k in self.ns_b:
            sh(['bridge', 'fdb', 'add', BMAC[k], 'dev', 'b%d' % k,
                'master', 'static'], ns=seg)
        # client
        sh(['ip', 'addr', 'add', CLIENT4 + '/24', 'dev', 'eth0'], ns=c)
        sh(['ip', 'addr', 'add', CLIENT6 + '/64', 'dev', 'eth0', 'nodad'],
           ns=c)
        sh(['ip', 'addr', 'add', SEG_CLIENT4 + '/24', 'dev', 'seg0'], ns=c)
        sh(['ip', 'addr', 'add', SEG_CLIENT6 + '/64', 'dev', 'seg0',
            'nodad'], ns=c)
        for i in ('eth0', 'seg0'):
            sh(['ip', 'link', 'set', i, 'up'], ns=c)
            sh(['ethtool', '-K', i, 'tx', 'off'], ns=c)
        # The VIPs sit in the outside subnet, with no route to them: the
        # client finds them by ARP / ND, which the gateway answers (the
        # load balancer holds the VIPs).
        # replies from the VIP arrive on seg0 (DSR), not by the route
        # back to the VIP: no reverse-path filter
        for k in ('all', 'default', 'seg0', 'eth0'):
            sh(['sysctl', '-qw', 'net.ipv4.conf.%s.rp_filter=0' % k], ns=c)
        # backends
        for k, ns in self.ns_b.items():
            self.backend(k, ns)
        return self

    def backend(self, k, ns):
        """Backend k in its namespace ns (made, on the segment)."""
        seg = self.ns_seg
        if k not in self.ns_b:
            self.netns(ns)
            sh(['ip', 'link', 'add', 'b%d' % k, 'type', 'veth', 'peer',
                'name', 'eth0', 'netns', ns], ns=seg)
            sh(['ip', 'link', 'set', 'b%d' % k, 'master', 'br0'], ns=seg)
            sh(['ip', 'link', 'set', 'b%d' % k, 'up'], ns=seg)
            sh(['bridge', 'fdb', 'add', BMAC[k], 'dev', 'b%d' % k,
                'master', 'static'], ns=seg)
        sh(['ip', 'link', 'set', 'eth0', 'address', BMAC[k]], ns=ns)
        # a backend taken down and up again (phase 3) keeps its IPv6
        # addresses, as IPv4 ones are kept
        sh(['sysctl', '-qw', 'net.ipv6.conf.eth0.keep_addr_on_down=1'],
           ns=ns)
        sh(['ip', 'addr', 'add', '10.9.0.%d/24' % k, 'dev', 'eth0'], ns=ns)
        # where the gateway checks it from (its inside address's subnet)
        sh(['ip', 'addr', 'add', '192.0.2.1%d/24' % k, 'dev', 'eth0'],
           ns=ns)
        sh(['ip', 'addr', 'add', 'fd00:9::%d/64' % k, 'dev', 'eth0',
            'nodad'], ns=ns)
        sh(['ip', 'addr', 'add', VIP4 + '/32', 'dev', 'lo'], ns=ns)
        sh(['ip', 'addr', 'add', VIP6 + '/128', 'dev', 'lo'], ns=ns)
        for i in ('all', 'eth0'):
            sh(['sysctl', '-qw', 'net.ipv4.conf.%s.arp_ignore=1' % i],
               ns=ns)
            sh(['sysctl', '-qw', 'net.ipv4.conf.%s.arp_announce=2' % i],
               ns=ns)
        sh(['ip', 'link', 'set', 'eth0', 'up'], ns=ns)
        sh(['ethtool', '-K', 'eth0', 'tx', 'off'], ns=ns)
        self.routes(ns)

    @staticmethod
    def routes(ns):
        # the way back to the client is not the load balancer (after a
        # link comes up, its connected routes take a moment to return)
        for cmd in (['ip', 'route', 'replace', '198.51.100.0/24', 'via',
                     SEG_CLIENT4],
                    ['ip', '-6', 'route', 'replace', '2001:db8:2::/64',
                     'via', SEG_CLIENT6]):
            for _ in range(50):
                if sh(cmd, ns=ns, check=False).returncode == 0:
                    break
                time.sleep(0.1)
            else:
                sh(cmd, ns=ns)

    def config(self):
        return '''# generated by tests/integration/test_lb.py
instance_bits = 4;
poll_mode = "adaptive";
mbufs = 8191;
ports = (
  { name = "inside"; device = "net_af_packet_%(gi)s,iface=%(gi)s,qpairs=3";
    mtu = 1400;
    addresses = ( "192.0.2.1/24" ); },
  { name = "outside"; device = "net_af_packet_%(go)s,iface=%(go)s,qpairs=3";
    addresses = ( "198.51.100.1/24", "2001:db8:2::1/64" ); }
);
servers = ( { id = 1; lcore = 1; }, { id = 2; lcore = 2; } );
lb = {
  vips = ( "%(v4)s", "%(v6)s" );
  port = "inside";
  ike_backend = %(ike)d;
  health_ms = %(hms)d;
  health_fall = %(fall)d;
  health_rise = %(rise)d;
  backends = ( { id = 1; mac = "%(m1)s"; ip = "192.0.2.11"; },
               { id = 2; mac = "%(m2)s"; ip = "192.0.2.12"; } );
};
''' % {'gi': self.gw_in, 'go': self.gw_out, 'v4': VIP4, 'v6': VIP6,
       'ike': IKE_BACKEND, 'm1': BMAC[1], 'm2': BMAC[2], 'hms': HEALTH_MS,
       'fall': FALL, 'rise': RISE}

    def close(self):
        for kind, name in reversed(self.made):
            if kind == 'ns':
                sh(['ip', 'netns', 'del', name], check=False)
            else:
                sh(['ip', 'link', 'del', name], check=False)
        self.made = []


def lb_json(gw):
    o = gw.cmd('show lb json')
    try:
        return json.loads(o[o.index('{'):o.rindex('}') + 1]), o
    except ValueError:
        return None, o


# Who answers ARP / NS for the VIPs: on eth0 (the client side) and on
# seg0 (the backends' segment). Prints "arp4 MAC", "nd6 MAC", "seg4 MACS".
ARPCHK = r'''
import sys
from scapy.all import ARP, Ether, conf, srp, srp1
from scapy.layers.inet6 import (ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr,
                                IPv6, in6_getnsma, in6_getnsmac, inet_pton)
import socket
conf.verb = 0
v4, v6 = sys.argv[1], sys.argv[2]
r = srp1(Ether(dst='ff:ff:ff:ff:ff:ff') / ARP(pdst=v4), iface='eth0',
         timeout=3, retry=2)
print('arp4', r[ARP].hwsrc if r is not None else 'none')
ns = in6_getnsma(inet_pton(socket.AF_INET6, v6))
mac = open('/sys/class/net/eth0/address').read().strip()
p = (Ether(dst=in6_getnsmac(ns)) /
     IPv6(src='2001:db8:2::2', dst=socket.inet_ntop(socket.AF_INET6, ns),
          hlim=255) /
     ICMPv6ND_NS(tgt=v6) / ICMPv6NDOptSrcLLAddr(lladdr=mac))
r = srp1(p, iface='eth0', timeout=3, retry=2,
         filter='icmp6 and ip6[40] == 136')
print('nd6', r[Ether].src if r is not None and ICMPv6ND_NA in r and
      r[ICMPv6ND_NA].tgt == v6 else 'none')
ans, _ = srp(Ether(dst='ff:ff:ff:ff:ff:ff') / ARP(pdst=v4), iface='seg0',
             timeout=2, multi=True)
print('seg4', ','.join(sorted(set(a[1][ARP].hwsrc for a in ans))) or 'none')
'''


def ct_json(gw):
    js, _ = lb_json(gw)
    return (js or {}).get('conntrack', {})


def wait_state(gw, want, timeout):
    """Poll show lb json until the backends' states are want (id ->
    state); returns (ok, seconds, json)."""
    t0 = time.time()
    js = None
    while time.time() - t0 < timeout:
        js, _ = lb_json(gw)
        st = {b['id']: b['state'] for b in (js or {}).get('backends', [])}
        if st == want:
            return True, time.time() - t0, js
        time.sleep(0.1)
    return False, time.time() - t0, js


def host_ready(ns):
    """A backend host whose link just came up: its IPv6 link-local
    (DAD) must be usable before it can answer a client over IPv6; a host
    that cannot answer yet is not the load balancer's fault."""
    for _ in range(50):
        if all(sh(['ping', '-c', '1', '-W', '1', a], ns=ns,
                  check=False).returncode == 0
               for a in (SEG_CLIENT4, SEG_CLIENT6)):
            return
        time.sleep(0.2)


def flows(topo, off=0):
    r = sh(['/usr/bin/python3', '-c', CLIENT_FIXED, str(FLOWS), str(off)],
           ns=topo.ns_c, timeout=120)
    return {(v6, f): who for v6, f, who in
            json.loads(r.stdout.strip().splitlines()[-1])}


def esp_to_vip(gw, topo, mac_out):
    """20 ESP packets of id 1 to the IPv4 VIP: the backends' lb
    counters before and after (id -> backend), and the raw json."""
    js0, _ = lb_json(gw)
    sh(['/usr/bin/python3', '-c', ESP_TO, mac_out, '1', '20'],
       ns=topo.ns_c, timeout=60)
    time.sleep(0.5)
    js1, raw = lb_json(gw)
    return ({b['id']: b for b in js0['backends']},
            {b['id']: b for b in js1['backends']}, raw)


def phase3(gw, topo, mac_out, procs):
    js, raw = lb_json(gw)
    bk = {b['id']: b for b in (js or {}).get('backends', [])}
    check('health checks: both backends up, probed and answering',
          all(bk.get(k, {}).get('state') == 'up' and
              bk[k].get('probes', 0) > 0 and bk[k].get('answers', 0) > 0
              for k in (1, 2)), raw)
    m0 = flows(topo)
    per = collections.Counter(m0.values())
    check('fixed flows: all %d answered, both backends serve (%s)'
          % (len(m0), dict(per)), None not in per and per['b1'] > 0 and
          per['b2'] > 0, m0)

    # b1 dies (its link goes down): down after FALL missed checks
    sh(['ip', 'link', 'set', 'eth0', 'down'], ns=topo.ns_b[1])
    ok, secs, js = wait_state(gw, {1: 'down', 2: 'up'},
                              (FALL + 3) * HEALTH_MS / 1000 + 3)
    check('b1 unreachable: down in %.1f s (%d checks of %d ms)'
          % (secs, FALL, HEALTH_MS), ok, js)
    m1 = flows(topo)
    check('b1 down: every flow answered by b2 (%s)'
          % dict(collections.Counter(m1.values())),
          all(v == 'b2' for v in m1.values()), m1)
    b0, b1, raw = esp_to_vip(gw, topo, mac_out)
    check('b1 down: its 20 ESP packets dropped and counted (down %d), '
          'none sent to b2' % (b1[1]['down'] - b0[1]['down']),
          b1[1]['down'] - b0[1]['down'] == 20 and
          b1[2]['kinds']['esp'] == b0[2]['kinds']['esp'] and
          b1[1]['downs'] == 1, raw)

    # b1 comes back: up after RISE answered checks. The flows that moved
    # to b2 are tracked there and stay (their connections live on b2
    # now); a flush hashes them again, back where they were.
    sh(['ip', 'link', 'set', 'eth0', 'up'], ns=topo.ns_b[1])
    topo.routes(topo.ns_b[1])
    host_ready(topo.ns_b[1])
    ok, secs, js = wait_state(gw, {1: 'up', 2: 'up'},
                              (RISE + 3) * HEALTH_MS / 1000 + 5)
    check('b1 back: up in %.1f s' % secs, ok, js)
    m2 = flows(topo)
    check('b1 back: tracked flows stay on b2 (%s)'
          % dict(collections.Counter(m2.values())),
          all(v == 'b2' for v in m2.values()), m2)
    ct0 = ct_json(gw)
    o = gw.cmd('lb conntrack flush')
    m2 = flows(topo)
    ct1 = ct_json(gw)
    check('lb conntrack flush: every flow back on the backend it had '
          'before (%d entries expired)'
          % (ct1.get('expired', 0) - ct0.get('expired', 0)),
          'flushed' in o and m2 == m0 and ct1.get('flushes') == 1 and
          ct1.get('expired', 0) - ct0.get('expired', 0) >= len(m0),
          (o, m2, ct0, ct1))

    # disable / enable from the shell: a disabled backend's flows move
    # at once; on enable they stay where they are until flushed
    o = gw.cmd('lb backend disable 2')
    ok, _, js = wait_state(gw, {1: 'up', 2: 'disabled'}, 2)
    check('lb backend disable 2: disabled', ok and 'disabled' in o,
          (o, js))
    m3 = flows(topo)
    check('b2 disabled: every flow on b1',
          all(v == 'b1' for v in m3.values()), m3)
    o = gw.cmd('lb backend enable 2')
    m4 = flows(topo)
    check('lb backend enable 2: tracked flows stay on b1',
          'enabled' in o and all(v == 'b1' for v in m4.values()), (o, m4))
    gw.cmd('lb conntrack flush')
    m4 = flows(topo)
    check('flush: every flow back where it was', m4 == m0, m4)

    # weights: 0 drains b1 gracefully: its tracked flows stay, new flows
    # all go to b2, its own ESP still reaches it
    o = gw.cmd('lb backend weight 1 0')
    m7 = flows(topo)
    new7 = flows(topo, 100)
    b0, b1, raw = esp_to_vip(gw, topo, mac_out)
    check('lb backend weight 1 0 (drain): tracked flows stay where they '
          'were, every new flow on b2 (%s), b1 still gets its 20 ESP '
          'packets (%d), none dropped'
          % (dict(collections.Counter(new7.values())),
             b1[1]['kinds']['esp'] - b0[1]['kinds']['esp']),
          'weight 0' in o and m7 == m0 and
          all(v == 'b2' for v in new7.values()) and
          b1[1]['kinds']['esp'] - b0[1]['kinds']['esp'] == 20 and
          b1[1]['down'] == b0[1]['down'] and b1[1]['weight'] == 0,
          (o, m7, new7, raw))
    gw.cmd('lb conntrack flush')
    m7 = flows(topo)
    check('drained b1, flushed: every flow on b2',
          all(v == 'b2' for v in m7.values()), m7)
    gw.cmd('lb backend weight 1 1')
    gw.cmd('lb conntrack flush')
    m8 = flows(topo)
    check('b1 back at weight 1, flushed: every flow where it was',
          m8 == m0, m8)
    o = gw.cmd('lb backend weight 2 3')
    m8 = flows(topo)
    check('lb backend weight 2 3: tracked flows stay where they were',
          m8 == m0, (o, m8))
    gw.cmd('lb conntrack flush')
    m8 = flows(topo)
    moved = {k: (m0[k], v) for k, v in m8.items() if v != m0[k]}
    n2 = sum(1 for v in m8.values() if v == 'b2')
    check('weight 2 3, flushed: %d flows moved, all to b2 (%d of %d '
          'on b2)' % (len(moved), n2, len(m8)),
          moved and all(v == 'b2' for _, v in moved.values()), moved)
    gw.cmd('lb backend weight 2 1')
    gw.cmd('lb conntrack flush')
    m9 = flows(topo)
    check('weights back to 1, flushed: every flow where it was', m9 == m0,
          m9)

    # a third backend, added while traffic flows: tracked flows stay;
    # once idle past the idle time they are hashed again, and those b3
    # wins move to it
    ns3 = 'sslb3' + topo.tag
    topo.backend(3, ns3)
    host_ready(ns3)
    p = subprocess.Popen(['ip', 'netns', 'exec', ns3, '/usr/bin/python3',
                          '-c', ECHO, 'b3'], stdout=subprocess.PIPE,
                         text=True)
    procs.append(p)
    check('echo service on b3', p.stdout.readline().strip() == 'ready')
    o = gw.cmd('lb backend add 3 %s 192.0.2.13' % BMAC[3])
    check('lb backend add 3: added', 'added' in o, o)
    m5 = flows(topo)
    check('b3 added: every tracked flow stays where it was', m5 == m0,
          m5)
    o = gw.cmd('lb conntrack idle 1')
    ct0 = ct_json(gw)
    time.sleep(2.5)
    m5 = flows(topo)
    ct1 = ct_json(gw)
    moved = {k: (m0[k], v) for k, v in m5.items() if v != m0[k]}
    check('lb conntrack idle 1, 2.5 s idle: %d of %d flows hashed again '
          'moved, all to b3, the others stayed (%d expired)'
          % (len(moved), len(m5),
             ct1.get('expired', 0) - ct0.get('expired', 0)),
          'idle 1 s' in o and moved and
          all(v == 'b3' for _, v in moved.values()) and
          ct1.get('expired', 0) - ct0.get('expired', 0) >= len(m0) and
          ct1.get('idle_s') == 1, (o, moved, ct1))
    gw.cmd('lb conntrack idle 300')
    # every entry fresh again (any that expired since are hashed to the
    # same place), so that each of b3's flows has its entry on b3
    m5b = flows(topo)
    check('idle back to 300 s: the flows stay where they are', m5b == m5,
          m5b)
    time.sleep(3 * HEALTH_MS / 1000)
    js, raw = lb_json(gw)
    b3 = {b['id']: b for b in js['backends']}.get(3, {})
    check('b3 health-checked: up, answering',
          b3.get('state') == 'up' and b3.get('answers', 0) > 0 and
          b3.get('packets', 0) > 0, b3)
    ct0 = ct_json(gw)
    o = gw.cmd('lb backend del 3')
    m6 = flows(topo)
    ct1 = ct_json(gw)
    check('lb backend del 3: b3\'s tracked flows moved back where they '
          'were (moved %d)' % (ct1.get('moved', 0) - ct0.get('moved', 0)),
          m6 == m0 and ct1.get('moved', 0) - ct0.get('moved', 0) ==
          len(moved), (o, m6, ct1))
    refused = [gw.cmd('lb backend del 2'),
               gw.cmd('lb backend add 1 %s' % BMAC[1]),
               gw.cmd('lb backend enable 9'),
               gw.cmd('lb backend add 16 02:00:00:00:01:10'),
               gw.cmd('lb backend add 4 01:00:5e:00:00:01'),
               gw.cmd('lb backend weight 1 1001'),
               gw.cmd('lb conntrack idle 0')]
    check('refused: del of the ike_backend, an id already there, an '
          'unknown id, an id past instance_bits, a multicast MAC, a '
          'weight of 1001, an idle time of 0',
          'ike_backend' in refused[0] and 'already' in refused[1] and
          'no such backend' in refused[2] and
          'instance_bits' in refused[3] and 'unicast' in refused[4] and
          '0 to 1000' in refused[5] and '1 to 86400' in refused[6],
          refused)
    o = gw.cmd('show lb')
    check('show lb shows states, checks and connection tracking',
          ' up ' in o and 'check 1 192.0.2.11' in o and
          'conntrack: ' in o and 'idle 300 s' in o, o)


def frag_phase(gw, topo, mac_out, procs):
    """Fragmented ESP, ESP in UDP, IKE and hashed UDP to the VIPs: the
    gateway puts each datagram together and sends it to the backend that
    owns it, cut again to the segment's MTU."""
    R = 3
    gw.cmd('clear stats')
    sniff = {}
    for k, ns in topo.ns_b.items():
        p = subprocess.Popen(['ip', 'netns', 'exec', ns, '/usr/bin/python3',
                              '-c', FSNIFF, HERE], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
        procs.append(p)
        sniff[k] = p
    for k, p in sniff.items():
        ready = p.stdout.readline().strip()
        check('fragments: capture on b%d running' % k, ready == 'ready',
              ready)
    r = sh(['/usr/bin/python3', '-c', FSEND, mac_out, str(R), HERE],
           ns=topo.ns_c, timeout=300)
    ndg, nfr, icmp = json.loads(r.stdout.strip().splitlines()[-1])
    nfr6 = 3 * (ndg // 2)    # IPv6: 3000 bytes in fragments of 1280
    time.sleep(2)
    got, big = {}, {}
    for k, p in sniff.items():
        out, _ = p.communicate('stop\n', timeout=120)
        got[k], big[k] = json.loads(out.strip().splitlines()[-1])
    check('fragments: client sent %d datagrams in %d fragments'
          % (ndg, nfr), ndg == 2 * 10 * R and nfr > 2 * ndg, (ndg, nfr))
    where, bad = lbfrag.placement(got, {4: 1800, 6: 3000})
    check('fragments: every datagram the backends got is whole and intact',
          not bad, bad)
    lbfrag.placement_checks(check, where, R, IKE_BACKEND)
    check('fragments: cut again to the lb port\'s MTU, 1400 (largest frame '
          '%s)' % big, all(0 < b <= 1414 for b in big.values()), big)
    check('too big: IPv4 with DF set and IPv6 answered with ICMP "too big", '
          'MTU 1400, from the gateway\'s outside address (%s)' % icmp,
          sorted(x[0] for x in icmp) == [4, 6] and
          all(x[2] == 1400 for x in icmp) and
          sorted(x[1] for x in icmp) == ['198.51.100.1', '2001:db8:2::1'],
          icmp)
    js, raw = lb_json(gw)
    fr = js.get('fragments', {}) if js else {}
    # IPv6: reassembled by the gateway; IPv4: whole when it arrived,
    # above the MTU (and so is the DF one, and the IPv6 one)
    check('fragments: show lb json counts them (%s)' % fr,
          fr.get('in') == nfr6 and fr.get('reassembled') == ndg // 2 and
          fr.get('above_mtu') == ndg // 2 + 2 and
          fr.get('datagrams') == ndg and
          fr.get('sent', 0) >= 2 * ndg and fr.get('icmp_too_big') == 2 and
          fr.get('dropped') == 0 and fr.get('reasm_dropped') == 0, raw)
    kinds = js['totals']['kinds'] if js else {}
    check('fragments: each datagram counted once, by kind (%s)' % kinds,
          kinds.get('esp') == 2 * 2 * R and kinds.get('esp-udp') == 2 * 2 * R
          and kinds.get('ike') == 2 * 2 * R and
          kinds.get('hash') == 2 * 4 * R, raw)
    o = gw.cmd('show lb')
    check('show lb: the fragments line',
          'fragments: %d in, %d datagrams whole again; %d above the '
          'port\'s MTU (1400)' % (nfr6, ndg // 2, ndg // 2 + 2) in o, o)
    gw.cmd('clear stats')


def main():
    binary = sys.argv[1]
    topo = LbTopo()
    gw = None
    procs = []
    try:
        topo.up()
        gw = sstopo.Gateway(binary, topo, topo.config(),
                            args=['--stats-on-exit'])
        check('load balancer announced at start, with connection tracking',
              'load balancer: 2 VIP(s), 2 backend(s) behind port inside'
              in gw.out and 'connection tracking, 65536 flows per '
              'worker, idle 300 s' in gw.out, gw.out[-600:])
        mac_out = sh(['cat', '/sys/class/net/%s/address' %
                      topo.gw_out]).stdout.strip()
        sh(['ping', '-c', '2', '-i', '0.2', '198.51.100.1'], ns=topo.ns_c,
           check=False)
        mac_in = sh(['cat', '/sys/class/net/%s/address' %
                     topo.gw_in]).stdout.strip()
        r = sh(['/usr/bin/python3', '-c', ARPCHK, VIP4, VIP6], ns=topo.ns_c,
               timeout=60)
        a = dict(ln.split(' ', 1) for ln in r.stdout.splitlines()
                 if ' ' in ln)
        check('ARP for the IPv4 VIP on the client side: answered with the '
              'gateway\'s MAC', a.get('arp4') == mac_out, a.get('arp4'))
        check('NS for the IPv6 VIP on the client side: NA with the '
              'gateway\'s MAC', a.get('nd6') == mac_out, a.get('nd6'))
        check('ARP for the VIP on the backends\' segment: the gateway does '
              'not answer', mac_in not in a.get('seg4', '').split(','),
              a.get('seg4'))
        gw.cmd('clear stats')

        # ---- phase 1: every kind, captured on both backends ----------
        sniff = {}
        for k, ns in topo.ns_b.items():
            p = subprocess.Popen(['ip', 'netns', 'exec', ns,
                                  '/usr/bin/python3', '-c', SNIFF],
                                 stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
            procs.append(p)
            sniff[k] = p
        for k, p in sniff.items():
            ready = p.stdout.readline().strip()
            check('capture on b%d running before sending' % k,
                  ready == 'ready', ready)
        r = sh(['/usr/bin/python3', '-c', SEND, mac_out, str(N), str(M),
                str(FLOWS), str(PER_FLOW), str(NUNK), str(UNKNOWN_ID)],
               ns=topo.ns_c, timeout=300)
        sent = int(r.stdout.strip().splitlines()[-1])
        time.sleep(2)
        got = {}
        for k, p in sniff.items():
            out, _ = p.communicate('stop\n', timeout=120)
            got[k] = json.loads(out.strip().splitlines()[-1])
        want_sent = 2 * (2 * 4 * N + 2 * M + FLOWS * PER_FLOW + NUNK)
        check('client sent %d packets' % want_sent, sent == want_sent, sent)

        # tags per backend: (kind, fam, id) -> count
        cnt = {k: collections.Counter() for k in got}
        for k, rows in got.items():
            for t, _, _, _ in rows:
                if t is None:
                    cnt[k][('untagged',)] += 1
                    continue
                kind, fam, x, _ = t[3:-1].split(':')
                cnt[k][(kind, int(fam), int(x))] += 1
        for kind in ('esp', 'esp-udp', 'gtpu', 'sctp'):
            for fam in (4, 6):
                for idk in (1, 2):
                    other = 3 - idk
                    a = cnt[idk][(kind, fam, idk)]
                    b = cnt[other][(kind, fam, idk)]
                    check('%s IPv%d id %d: %d/%d on b%d, %d on b%d'
                          % (kind, fam, idk, a, N, idk, b, other),
                          a == N and b == 0)
        for fam in (4, 6):
            for port in (500, 4500):
                a = cnt[IKE_BACKEND][('ike', fam, port)]
                b = cnt[3 - IKE_BACKEND][('ike', fam, port)]
                check('IKE IPv%d UDP %d%s: %d/%d on ike_backend b%d, %d on '
                      'the other' % (fam, port, ' (marker 0)' if port == 4500
                                     else '', a, M, IKE_BACKEND, b),
                      a == M and b == 0)
        for fam in (4, 6):
            where = {}
            ok = True
            for f in range(FLOWS):
                on = [k for k in (1, 2) if cnt[k][('hash', fam, f)] > 0]
                tot = sum(cnt[k][('hash', fam, f)] for k in (1, 2))
                ok = ok and len(on) == 1 and tot == PER_FLOW
                where[f] = on
            per = collections.Counter(v[0] for v in where.values()
                                      if len(v) == 1)
            check('UDP IPv%d: each of %d flows whole on exactly one backend'
                  % (fam, FLOWS), ok, where)
            check('UDP IPv%d: both backends got flows (b1 %d, b2 %d)'
                  % (fam, per[1], per[2]), per[1] > 0 and per[2] > 0, where)
        unk = sum(cnt[k][('unknown', fam, UNKNOWN_ID)] for k in (1, 2)
                  for fam in (4, 6))
        check('ESP of id %d (no backend) reached nobody (%d)'
              % (UNKNOWN_ID, unk), unk == 0)
        check('nothing untagged to the VIPs on the backends',
              all(cnt[k][('untagged',)] == 0 for k in (1, 2)), cnt)
        bad_hdr = [(k, row) for k in got for row in got[k]
                   if row[1] != BMAC[k] or
                   row[2] not in (VIP4, VIP6) or row[3] != 64]
        nrows = sum(len(v) for v in got.values())
        check('all %d arrived with dst MAC = their backend\'s, IP dst = '
              'VIP, TTL/hop limit 64 unchanged' % nrows,
              nrows > 0 and not bad_hdr, bad_hdr[:5])

        # the load balancer's counters against what the backends saw
        js, raw = lb_json(gw)
        check('show lb json parses', js is not None, raw)
        js = js or {}
        bk = {b['id']: b for b in js.get('backends', [])}
        check('show lb json: VIPs, port, ike_backend',
              js.get('vips') == [VIP4, VIP6] and js.get('port') == 'inside'
              and js.get('ike_backend') == IKE_BACKEND, raw)
        check('show lb json: unknown_id = %d (got %s), bad = 0'
              % (2 * NUNK, js.get('unknown_id')),
              js.get('unknown_id') == 2 * NUNK and js.get('bad') == 0, raw)
        for k in (1, 2):
            b = bk.get(k, {})
            kinds = b.get('kinds', {})
            seen = collections.Counter()
            for key, v in cnt[k].items():
                seen[key[0]] += v
            check('b%d: lb counted %s packets, backend got %d'
                  % (k, b.get('packets'), len(got[k])),
                  b.get('packets') == len(got[k]) and
                  b.get('mac') == BMAC[k], b)
            check('b%d: per kind, lb = backend (%s)' % (k, dict(seen)),
                  all(kinds.get(x, -1) == seen[x] for x in
                      ('esp', 'esp-udp', 'gtpu', 'sctp', 'ike', 'hash')),
                  (kinds, dict(seen)))
        check('totals = sum of backends',
              js.get('totals', {}).get('packets') ==
              sum(len(v) for v in got.values()), raw)
        tel = sh(['/usr/bin/python3', os.path.join(HERE, '..', '..',
                  'usertools', 'ss-telemetry.py'), '-f', 'ss' + topo.tag,
                  '/shardsec/lb']).stdout
        try:
            t = json.loads(tel.splitlines()[0])['/shardsec/lb']
        except (ValueError, IndexError, KeyError):
            t = {}
        check('telemetry /shardsec/lb: same packets and unknown_id',
              t.get('backend1', {}).get('packets') == len(got[1]) and
              t.get('backend2', {}).get('packets') == len(got[2]) and
              t.get('unknown_id') == 2 * NUNK and t.get('conntrack') == 1 and
              t.get('ct_added', 0) > 0, tel)
        o = gw.cmd('show lb')
        check('show lb table', 'unknown_id %d' % (2 * NUNK) in o and
              BMAC[1] in o and 'esp-udp' in o, o)
        gw.cmd('clear stats')
        js, raw = lb_json(gw)
        check('clear stats zeroes the lb counters',
              js is not None and js['totals']['packets'] == 0 and
              js['unknown_id'] == 0, raw)

        # ---- phase 1b: IP fragments to the VIPs ------------------------
        frag_phase(gw, topo, mac_out, procs)

        # ---- phase 2: a real reply path (direct server return) -------
        for k, ns in topo.ns_b.items():
            p = subprocess.Popen(['ip', 'netns', 'exec', ns,
                                  '/usr/bin/python3', '-c', ECHO,
                                  'b%d' % k], stdout=subprocess.PIPE,
                                 text=True)
            procs.append(p)
            check('echo service on b%d' % k,
                  p.stdout.readline().strip() == 'ready')
        r = sh(['/usr/bin/python3', '-c', CLIENT, str(FLOWS)], ns=topo.ns_c,
               timeout=120)
        echo = json.loads(r.stdout.strip().splitlines()[-1])
        for v6 in (False, True):
            rows = [x for x in echo if x[0] == v6]
            vip = VIP6 if v6 else VIP4
            check('IPv%d echo: %d/%d answered, all from the VIP %s'
                  % (6 if v6 else 4, sum(1 for x in rows if x[3]),
                     len(rows), vip),
                  rows and all(x[3] == vip for x in rows), rows)
            by_flow = collections.defaultdict(set)
            for x in rows:
                if x[4]:
                    by_flow[x[1]].add(x[4].rsplit('|', 1)[1])
            who = collections.Counter(next(iter(s)) for s in
                                      by_flow.values() if len(s) == 1)
            check('IPv%d echo: each flow answered by one backend, both '
                  'serve (b1 %d, b2 %d flows)' % (6 if v6 else 4, who['b1'],
                                                   who['b2']),
                  len(by_flow) == FLOWS and
                  all(len(s) == 1 for s in by_flow.values()) and
                  who['b1'] > 0 and who['b2'] > 0, dict(by_flow))
        js, raw = lb_json(gw)
        check('the %d echo requests went through the lb, hashed (%s)'
              % (2 * 3 * FLOWS, js['totals']['kinds']['hash']),
              js['totals']['kinds']['hash'] == 2 * 3 * FLOWS, raw)
        # ---- phase 3: backends that fail, come back, come and go ----
        phase3(gw, topo, mac_out, procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        if gw is not None:
            rc, err = gw.stop()
            check('clean exit, no sanitizer report',
                  rc == 0 and 'Sanitizer' not in err, err[-2000:])
            check('log: b1 went down and came back up, b3 added and '
                  'removed, b2 disabled and enabled',
                  all(x in err for x in (
                      'lb: backend 1 is down (3 check(s) missed)',
                      'lb: backend 1 is up (2 check(s) answered)',
                      'lb: backend 3 added', 'lb: backend 3 removed',
                      'lb: backend 2 disabled', 'lb: backend 2 enabled',
                      'lb: connection tracking flushed',
                      'lb: connection tracking: idle time 1 s')),
                  err[-3000:])
            check('--stats-on-exit: a line per backend, the drops and '
                  'connection tracking',
                  'lb backend 1 (up): packets' in gw.out and
                  'lb backend 2 (up): packets' in gw.out and
                  'lb: unknown-id' in gw.out and
                  'lb conntrack: entries' in gw.out, gw.out[-1500:])
        topo.close()
    failed = results.count(False)
    print('%d passed, %d failed' % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
