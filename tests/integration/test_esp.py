#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""ESP through the real gateway, with scapy as the independent peer.

Two servers (instance-ids 1 and 2), one tunnel, one SA pair per server.
For each algorithm and with/without UDP encapsulation:
- inbound: scapy encrypts with each of the gateway's inbound SAs; every
  packet arrives decrypted at the inside host, and each is processed by
  the server whose id is in the SPI (per-server counters: 100%);
- outbound: UDP flows from the inside host come out as ESP that scapy
  decrypts back to the original flows;
- bad input: replayed packets, a wrong key, an unknown SPI: each dropped
  with its own counter.
With SS_ESP_BACKEND=inline the same runs on the "inline" back-end
(rte_security inline crypto sessions, drivers/inline) over the software
inline NIC attached to the outside port (drivers/swnic/ss_swnic_sec.h):
the NIC's own counters (show inline json) must show every packet
encrypted on transmit and decrypted on receive, and the wrong-key
packets failed by the NIC; an ESN SA is refused at start with the reason.
Usage: test_esp.py PATH/TO/shardsec
"""
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sstopo  # noqa: E402
from sstopo import sh  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
results = []
COUNT = 20
BACKEND = os.environ.get('SS_ESP_BACKEND', '')
INLINE = BACKEND == 'inline'
INLINE_CFG = '''
  backend = "inline";
  inline = { port = "outside"; software = true; sessions = 64; };'''


def check(name, ok, detail=''):
    results.append(bool(ok))
    print('%s: %s%s' % ('PASS' if ok else 'FAIL', name,
                        (' (' + str(detail)[-1500:] + ')')
                        if detail and not ok else ''))
    sys.stdout.flush()


def key_len(algo):
    return {'aes-gcm-128': 20, 'aes-gcm-256': 36,
            'aes-cbc-128-hmac-sha256': 48}[algo]


def sa_config(algo, encap, esn=False, v6=False):
    local, peer_ip = (('2001:db8:2::1', '2001:db8:2::2') if v6 else
                      ('198.51.100.1', '198.51.100.2'))
    sas = []
    for sid in (1, 2):
        for d in ('in', 'out'):
            spi = (sid << 28) | (0x100 + sid * 16 + (d == 'out'))
            if d == 'out':
                spi = 0x0a000000 | sid
            sas.append({'server': sid, 'dir': d, 'spi': spi, 'algo': algo,
                        'key': secrets.token_hex(key_len(algo)),
                        'udp_encap': encap})
    lines = []
    for s in sas:
        lines.append('{ server = %d; dir = "%s"; spi = 0x%08x; algo = "%s";'
                     ' key = "%s"; }' % (s['server'], s['dir'], s['spi'],
                                         s['algo'], s['key']))
    text = '''ipsec = {
  replay_window = 64;
  esn = %s;%s
  tunnels = ( {
    name = "remote"; local = "%s"; peer = "%s";
    mode = "tunnel"; inner = "ipv4"; udp_encap = %s;
    local_ts = [ "192.0.2.0/24" ]; remote_ts = [ "198.18.0.0/24" ];
    sas = ( %s );
  } );
  policies = ( { name = "to-remote"; src = "192.0.2.0/24";
                 dst = "198.18.0.0/24"; action = "protect";
                 tunnel = "remote"; } );
};
''' % ('true' if esn else 'false', INLINE_CFG if INLINE else '',
       local, peer_ip, 'true' if encap else 'false',
       ',\n      '.join(lines))
    for s in sas:
        s['local'] = local
        s['peer'] = peer_ip
    return text, sas


SNIFF_INSIDE = r'''
import sys, json, time
from scapy.all import AsyncSniffer, UDP, IP, conf
conf.verb = 0
s = AsyncSniffer(iface="eth0", filter="udp and src host 198.18.0.5",
                 started_callback=lambda: print("ready", flush=True))
s.start(); time.sleep(float(sys.argv[1])); s.stop()
print(json.dumps(sorted(bytes(p[UDP].payload).decode(errors="replace")
                        for p in s.results if UDP in p)))
'''

SEND_INSIDE = r'''
import socket, sys
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n):
    s.sendto(b"flow-%d" % i, ("198.18.0.%d" % (1 + i % 8), 7000 + i))
'''


def sniff_inside(topo, secs):
    """The inside host's capture of the tunnel's UDP, once it is open."""
    sn = subprocess.Popen(['ip', 'netns', 'exec', topo.ns_in,
                           '/usr/bin/python3', '-c', SNIFF_INSIDE, str(secs)],
                          stdout=subprocess.PIPE, text=True)
    sn.stdout.readline()
    return sn


def sniffed(sn):
    """What the capture printed last (JSON)."""
    return json.loads(sn.communicate(timeout=30)[0].strip().splitlines()[-1])


def stat(text, name):
    """A counter of 'show stats' (-1: not there)."""
    m = re.search(r'^\s+%s\s+(\d+)' % name, text, re.M)
    return int(m.group(1)) if m else -1


def peer_recv(topo, outb, secs):
    """scapy on the outside host decrypting what the gateway sends on its
    outbound SAs for secs seconds, once its capture is open (sniffed()
    has the result)."""
    rc = subprocess.Popen(['ip', 'netns', 'exec', topo.ns_out,
                           '/usr/bin/python3',
                           os.path.join(HERE, 'esp_peer.py'), 'recv',
                           json.dumps(outb), str(secs)],
                          stdout=subprocess.PIPE, text=True)
    rc.stdout.readline()
    return rc


def stop_checked(gw, tag):
    """Stop the gateway: status 0 and no sanitizer report."""
    rc, err = gw.stop()
    check('[%s] clean exit' % tag, rc == 0 and 'Sanitizer' not in err, err)


def peer(topo, mode, sas, *args, timeout=60):
    return sh(['/usr/bin/python3', os.path.join(HERE, 'esp_peer.py'), mode,
               json.dumps(sas)] + [str(a) for a in args], ns=topo.ns_out,
              timeout=timeout)


def sa_counts(gw):
    out = gw.cmd('show sa')
    return out


def server_rows(gw):
    out = gw.cmd('show servers')
    rows = {}
    for m in re.finditer(r'^(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+'
                         r'(\d+)', out, re.M):
        rows[int(m.group(2))] = {'rx': int(m.group(5)),
                                 'esp_in': int(m.group(6)),
                                 'esp_out': int(m.group(7))}
    return rows, out


def inline_js(gw):
    """The inline NIC's counters (show inline json); {} without."""
    out = gw.cmd('show inline json')
    try:
        return json.loads(out[out.index('{'):out.rindex('}') + 1])
    except ValueError:
        return {}


def idelta(a, b, k):
    return b.get(k, -1) - a.get(k, 0)


def one_case(binary, topo, algo, encap):
    tag = '%s%s' % (algo, '+udp' if encap else '')
    text, sas = sa_config(algo, encap)
    gw = sstopo.Gateway(binary, topo, topo.config(extra=text),
                        args=['--stats-on-exit'] if INLINE else [])
    try:
        gw_mac = sh(['cat', '/sys/class/net/%s/address' %
                     topo.gw_out]).stdout.strip()
        # warm up ARP/ND both ways
        sh(['ping', '-c', '2', '-i', '0.2', '192.0.2.1'], ns=topo.ns_in,
           check=False)
        sh(['ping', '-c', '2', '-i', '0.2', '198.51.100.1'], ns=topo.ns_out,
           check=False)
        sh(['ping', '-c', '1', '192.0.2.2'], ns=topo.ns_in, check=False)
        inb = [s for s in sas if s['dir'] == 'in']
        outb = [s for s in sas if s['dir'] == 'out']

        # inbound: scapy encrypts, the inside host must get every packet
        sn = sniff_inside(topo, 7)
        gw.cmd('clear stats')
        i0 = inline_js(gw)
        peer(topo, 'send', inb, gw_mac, '192.0.2.2', COUNT)
        got = sniffed(sn)
        want = sorted('shardsec-%08x-%d' % (s['spi'], i) for s in inb
                      for i in range(COUNT))
        check('[%s] inbound: all %d packets decrypted and delivered' %
              (tag, len(want)), got == want,
              'got %d: %s' % (len(got), got[:4]))
        if INLINE:
            i1 = inline_js(gw)
            check('[%s] inline: the NIC decrypted all %d on receive' %
                  (tag, len(want)),
                  idelta(i0, i1, 'rx_decrypted') == len(want) and
                  i1.get('device') == 'software', (i0, i1))
        rows, out = server_rows(gw)
        out += '\n'.join(l for l in gw.cmd('show stats').splitlines()
                         if not l.endswith(' 0'))
        check('[%s] inbound steering: server 1 decrypted exactly its %d' %
              (tag, COUNT), rows.get(1, {}).get('esp_in') == COUNT, out)
        check('[%s] inbound steering: server 2 decrypted exactly its %d' %
              (tag, COUNT), rows.get(2, {}).get('esp_in') == COUNT, out)
        for s in inb:
            o = gw.cmd('show sa %x' % s['spi'])
            check('[%s] show sa %08x counts %d packets' % (tag, s['spi'],
                                                           COUNT),
                  re.search(r'packets=%d\b' % COUNT, o) is not None, o)
            check('[%s] show sa never prints the key' % tag,
                  s['key'][:16] not in o, o)

        conf = gw.cmd('show config')
        check('[%s] show config never prints an SA key' % tag,
              'ipsec' in conf and all(x['key'][:16] not in conf
                                      for x in sas), conf[-800:])

        # bad input: replay (same sequence numbers again), wrong key,
        # unknown SPI
        before = gw.cmd('show sa %x' % inb[0]['spi'])
        peer(topo, 'send', [inb[0]], gw_mac, '192.0.2.2', 5)
        # flip the last key byte: the GCM salt or the HMAC key, so the ICV
        # is what fails (a wrong CBC key would fail the padding check)
        k = inb[0]['key']
        bad = dict(inb[0], key=k[:-2] + ('00' if k[-2:] != '00' else '11'))
        # fresh sequence numbers, so that only the ICV can refuse them
        peer(topo, 'send', [bad], gw_mac, '192.0.2.2', 3, 1000)
        unknown = dict(inb[0], spi=(1 << 28) | 0xbeef)
        peer(topo, 'send', [unknown], gw_mac, '192.0.2.2', 4)
        time.sleep(1)
        after = gw.cmd('show sa %x' % inb[0]['spi'])

        def drop(text, name):
            m = re.search(r'^\s+%s\s+(\d+)' % name, text, re.M)
            return int(m.group(1)) if m else -1
        check('[%s] 5 replayed packets counted as replay' % tag,
              drop(after, 'replay') - drop(before, 'replay') == 5, after)
        check('[%s] 3 wrong-key packets counted as auth_failed' % tag,
              drop(after, 'auth_failed') - drop(before, 'auth_failed') == 3,
              after)
        st = gw.cmd('show stats')
        check('[%s] unknown SPI counted' % tag,
              re.search(r'unknown_spi\s+4\b', st) is not None, st)
        if INLINE:
            i2 = inline_js(gw)
            check('[%s] inline: the NIC failed the 3 wrong-key packets, '
                  'decrypted the 5 replayed ones (the window is ours), '
                  'and passed the 4 of the unknown SPI up untouched' % tag,
                  idelta(i1, i2, 'rx_auth_failed') == 3 and
                  idelta(i1, i2, 'rx_decrypted') == 5 and
                  idelta(i1, i2, 'rx_no_session') == 4, (i1, i2))

        # the path between the peer and us cut its ESP into IP fragments
        # (RFC 4303 3.4.1), which must reach the SA's server whole, in
        # whatever order they came. (On af_packet the kernel reassembles
        # IPv4 before DPDK sees it, PACKET_FANOUT_FLAG_DEFRAG: the
        # gateway's own reassembly is checked over IPv6, frag6_case.)
        sn = sniff_inside(topo, 5)
        gw.cmd('clear stats')
        peer(topo, 'send', inb, gw_mac, '192.0.2.2', 3, 5000, 0.0, 512)
        got = sniffed(sn)
        want = sorted('shardsec-%08x-%d' % (s['spi'], i) for s in inb
                      for i in range(3))
        st = gw.cmd('show stats')

        check('[%s] fragmented inbound ESP (3 IPv4 fragments each, last '
              'first): all %d reassembled, decrypted and delivered whole' %
              (tag, len(want)), sorted(g.split('|')[0] for g in got) ==
              want and all(len(g) == len(g.split('|')[0]) + 1201
                           for g in got), got)
        check('[%s] nothing dropped for it: no reassembly, ESP or '
              'fragment drop' % tag, stat(st, 'reasm_dropped') == 0 and
              stat(st, 'ip4_frag_to_us') == 0 and
              stat(st, 'truncated') == 0,
              [l for l in st.splitlines() if 'reasm' in l])

        # outbound: the inside host's flows come out as ESP scapy decrypts
        # (counters cleared: the inside host's ICMP port-unreachables for
        # the inbound test were protected too)
        time.sleep(0.5)
        gw.cmd('clear stats')
        i3 = inline_js(gw)
        rc = peer_recv(topo, outb, 5)
        sh(['/usr/bin/python3', '-c', SEND_INSIDE, str(COUNT * 2)],
           ns=topo.ns_in)
        res = sniffed(rc)
        flows = sum(len(v) for v in res['per_spi'].values())
        check('[%s] outbound: %d flows encrypted, all decrypt in scapy' %
              (tag, COUNT * 2), flows == COUNT * 2 and res['bad'] == 0, res)
        if INLINE:
            i4 = inline_js(gw)
            check('[%s] inline: the NIC encrypted every outbound packet '
                  'on transmit, none dropped' % tag,
                  idelta(i3, i4, 'tx_encrypted') >= COUNT * 2 and
                  i4.get('tx_dropped_no_session') == 0 and
                  i4.get('tx_dropped_bad') == 0 and
                  i4.get('sessions') == 4, (i3, i4))
        rows, out = server_rows(gw)
        used = {k for k in res['per_spi']}
        check('[%s] outbound used both servers\' SAs' % tag,
              used == {'%08x' % s['spi'] for s in outb}, res['per_spi'].keys())
        # (>=: the inside host's late ICMP errors are protected too)
        check('[%s] outbound: each server encrypted what its SA carried' %
              tag, all(rows.get(s['server'], {}).get('esp_out', 0) >=
                       len(res['per_spi'].get('%08x' % s['spi'], [])) > 0
                       for s in outb), out)
        # a DF packet whose protected form exceeds the tunnel MTU: the
        # sender gets "fragmentation needed" with the MTU that fits
        # (a destination per case: the host caches the path MTU)
        far = '198.18.0.%d' % (20 + sum(map(ord, tag)) % 200)
        r = sh(['ping', '-M', 'do', '-s', '1472', '-c', '2', '-W', '2',
                far], ns=topo.ns_in, check=False)
        m = re.search(r'mtu ?= ?(\d+)', r.stdout + r.stderr)
        check('[%s] too big + DF: ICMP frag-needed with the MTU that fits '
              '(%s)' % (tag, m.group(1) if m else '?'),
              m is not None and 1300 < int(m.group(1)) < 1500,
              r.stdout + r.stderr)
        st = gw.cmd('show stats')
        check('[%s] too-big counted and answered' % tag,
              re.search(r'icmp_too_big_sent\s+[1-9]', st) is not None, st)
        # the same size with DF clear: fragmented before encryption, each
        # piece its own ESP packet; scapy decrypts them all and puts the
        # inner fragments together into the 1500-byte echo request
        far2 = '198.18.0.%d' % (20 + (sum(map(ord, tag)) + 7) % 200)
        rc = peer_recv(topo, outb, 3)
        sh(['ping', '-M', 'dont', '-s', '1472', '-c', '1', '-W', '1', far2],
           ns=topo.ns_in, check=False)
        res = sniffed(rc)
        st = gw.cmd('show stats')
        check('[%s] too big, DF clear: fragmented before encryption into '
              '%s ESP packets that decrypt and reassemble into the 1500-byte'
              ' packet' % (tag, res.get('inner_frags')),
              res.get('inner_frags', 0) >= 2 and res['bad'] == 0 and
              '192.0.2.2>%s:1:1500' % far2 in res.get('defrag', []) and
              re.search(r'prefragmented\s+1\b', st) is not None,
              (res, [l for l in st.splitlines() if 'frag' in l]))
    finally:
        stop_checked(gw, tag)
        if INLINE:
            check('[%s] --stats-on-exit: the inline sessions and the '
                  'NIC\'s counters' % tag,
                  re.search(r'^inline \(software\): sessions 4 created 4 ',
                            gw.out, re.M) is not None and
                  re.search(r'^inline nic: tx encrypted [1-9]\d* '
                            r'no-session 0 bad 0; rx decrypted [1-9]',
                            gw.out, re.M) is not None, gw.out[-1500:])


def frag6_case(binary, topo):
    """ESP over IPv6 cut into fragments on the way: reassembled on the
    control lcore (rte_ip_frag), whichever queue each fragment came to,
    in any order, then decrypted by the SA's server; a datagram that
    misses a fragment waits, is let go after the timeout and counted."""
    tag = 'ipv6 fragments'
    text, sas = sa_config('aes-gcm-128', False, v6=True)
    gw = sstopo.Gateway(binary, topo, topo.config(extra=text))
    try:
        gw_mac = sh(['cat', '/sys/class/net/%s/address' %
                     topo.gw_out]).stdout.strip()
        sh(['ping', '-c', '2', '-i', '0.2', '192.0.2.1'], ns=topo.ns_in,
           check=False)
        sh(['ping', '-c', '1', '192.0.2.2'], ns=topo.ns_in, check=False)
        inb = [s for s in sas if s['dir'] == 'in']
        sn = sniff_inside(topo, 6)
        gw.cmd('clear stats')
        peer(topo, 'send', inb, gw_mac, '192.0.2.2', 3, 1, 0.0, 600)
        # and one more each with its middle fragment lost
        peer(topo, 'send', inb, gw_mac, '192.0.2.2', 1, 100, 0.0, 600, 1)
        got = sniffed(sn)
        want = sorted('shardsec-%08x-%d' % (s['spi'], i) for s in inb
                      for i in range(3))
        check('[%s] fragmented ESP over IPv6 (3 fragments each, last '
              'first): all %d reassembled, decrypted and delivered whole' %
              (tag, len(want)), sorted(g.split('|')[0] for g in got) ==
              want and all(len(g) == len(g.split('|')[0]) + 1201
                           for g in got), got)
        rows, out = server_rows(gw)
        check('[%s] each server decrypted its own 3' % tag,
              rows.get(1, {}).get('esp_in') == 3 and
              rows.get(2, {}).get('esp_in') == 3, out)
        time.sleep(2.5)		# the lost fragments' datagrams time out
        st = gw.cmd('show stats')

        check('[%s] counted: 6 datagrams from 22 fragments, the 4 held '
              'for the 2 incomplete ones let go after the timeout' % tag,
              stat(st, 'reasm_fragments') == 22 and
              stat(st, 'reasm_done') == 6 and
              stat(st, 'reasm_dropped') == 4 and
              stat(st, 'ip6_frag_to_us') == 0,
              [l for l in st.splitlines() if 'reasm' in l or 'frag' in l])
    finally:
        stop_checked(gw, tag)


def outside_mac_warm(topo):
    """The gateway's outside MAC, once the inside host has pinged the
    gateway (so that the gateway knows the host's)."""
    sh(['ping', '-c', '2', '-i', '0.2', '192.0.2.1'], ns=topo.ns_in,
       check=False)
    return sh(['cat', '/sys/class/net/%s/address' %
               topo.gw_out]).stdout.strip()


def sniff_inside_defrag(topo, secs):
    """The inside host's capture of what comes from 198.18.0.5, as
    fragments counted and datagrams put together, once it is open."""
    sn = subprocess.Popen(['ip', 'netns', 'exec', topo.ns_in,
                           '/usr/bin/python3', '-c', SNIFF_INSIDE_DEFRAG,
                           str(secs)], stdout=subprocess.PIPE, text=True)
    sn.stdout.readline()
    return sn


def jumbo6_case(binary, topo):
    """A 3000-byte datagram in IPv6 fragments: more than one of the
    packet pool's mbufs holds, so it is put back together in one of the
    reassembly table's jumbo buffers, which the worker decrypts like any
    other; the inner packet (DF clear) is then cut to the inside link's
    MTU and the host puts it back together."""
    tag = 'ipv6 jumbo'
    text, sas = sa_config('aes-gcm-128', False, v6=True)
    gw = sstopo.Gateway(binary, topo, topo.config(extra=text))
    try:
        gw_mac = outside_mac_warm(topo)
        inb = [s for s in sas if s['dir'] == 'in']
        sn = sniff_inside_defrag(topo, 4)
        gw.cmd('clear stats')
        peer(topo, 'send', inb, gw_mac, '192.0.2.2', 1, 1, 0.0, 1280, -1,
             3000)
        got = sniffed(sn)
        st = gw.cmd('show stats')
        want = len('shardsec-%08x-0|' % inb[0]['spi']) + 3000
        check('[%s] %d-byte payloads in 3 IPv6 fragments each: '
              'reassembled, decrypted, cut to the inside MTU (%d '
              'fragments) and whole at the host' % (tag, want, got['frags']),
              got['whole'] == [want, want] and got['frags'] == 6 and
              stat(st, 'fwd_fragmented') == 2, got)
        check('[%s] counted: 2 datagrams whole from 6 fragments, both in '
              'jumbo buffers, none dropped' % tag,
              stat(st, 'reasm_fragments') == 6 and
              stat(st, 'reasm_done') == 2 and
              stat(st, 'reasm_jumbo') == 2 and
              stat(st, 'reasm_dropped') == 0 and
              stat(st, 'reasm_too_big') == 0,
              [l for l in st.splitlines() if 'reasm' in l or 'frag' in l])
    finally:
        stop_checked(gw, tag)


SNIFF_INSIDE_DEFRAG = r'''
import sys, json, time
from scapy.all import AsyncSniffer, IP, UDP, conf, defragment
conf.verb = 0
s = AsyncSniffer(iface="eth0", filter="src host 198.18.0.5",
                 started_callback=lambda: print("ready", flush=True))
s.start(); time.sleep(float(sys.argv[1])); s.stop()
ps = [p[IP] for p in s.results if IP in p]
print(json.dumps({"frags": sum(1 for p in ps if p.flags.MF or p.frag),
                  "whole": sorted(len(p[UDP].payload) for p in defragment(ps)
                                  if UDP in p and not (p.flags.MF or
                                                       p.frag))}))
'''


def tunnel_mtu_case(binary, topo):
    """Decrypted packets above the inside link's MTU (1280): with DF
    clear the gateway fragments them on the way in; with DF set the
    sender behind the peer gets "fragmentation needed" with mtu 1280,
    from the gateway's inside address and back through the tunnel, so
    that its path-MTU discovery works across the gateway."""
    tag = 'inside mtu 1280'
    text, sas = sa_config('aes-gcm-128', False)
    cfg = topo.config(extra=text)
    dev = '{ name = "inside"; '
    assert dev in cfg
    sh(['ip', 'link', 'set', 'eth0', 'mtu', '1280'], ns=topo.ns_in)
    gw = sstopo.Gateway(binary, topo, cfg.replace(dev, dev + 'mtu = 1280; '))
    try:
        gw_mac = outside_mac_warm(topo)
        inb = [s for s in sas if s['dir'] == 'in']
        outb = [s for s in sas if s['dir'] == 'out']
        # DF clear: cut in two, put back together by the inside host
        sn = sniff_inside_defrag(topo, 4)
        gw.cmd('clear stats')
        peer(topo, 'send', inb, gw_mac, '192.0.2.2', 1, 1, 0.0, 0, -1, 1300)
        got = sniffed(sn)
        st = gw.cmd('show stats')
        want = len('shardsec-%08x-0|' % inb[0]['spi']) + 1300
        check('[%s] DF clear, %d-byte payloads: fragmented by the gateway '
              'after decryption (%d fragments), whole at the host' %
              (tag, want, got['frags']),
              got['whole'] == [want, want] and got['frags'] == 4 and
              stat(st, 'fwd_fragmented') == 2 and
              stat(st, 'fwd_frag_pieces') == 4,
              (got, [l for l in st.splitlines() if 'frag' in l]))
        # DF set: the error goes back into the tunnel
        rc = peer_recv(topo, outb, 3)
        gw.cmd('clear stats')
        peer(topo, 'send', inb, gw_mac, '192.0.2.2', 1, 2, 0.0, 0, -1, 1300,
             1)
        res = sniffed(rc)
        st = gw.cmd('show stats')
        # (the capture sees the peer's own ESP too: unknown SPIs, not
        # errors)
        check('[%s] DF set: "fragmentation needed", mtu 1280, from '
              '192.0.2.1 to the sender, encrypted back through the tunnel '
              '(%s)' % (tag, res.get('icmp')),
              res.get('icmp') == ['192.0.2.1>198.18.0.5:3:4:1280'] * 2 and
              'errors' not in res and
              stat(st, 'icmp_too_big_sent') == 2 and
              stat(st, 'fwd_fragmented') == 0,
              (res, [l for l in st.splitlines() if 'big' in l]))
    finally:
        stop_checked(gw, tag)
        sh(['ip', 'link', 'set', 'eth0', 'mtu', '1500'], ns=topo.ns_in)
        sh(['ip', 'link', 'set', topo.gw_in, 'mtu', '1500'])


def start_fails(binary, topo, text):
    """Start the gateway on text; its exit status and output (status 0
    when it did not stop within a minute)."""
    d = tempfile.mkdtemp(prefix='shardsec-')
    path = os.path.join(d, 'gw.cfg')
    with open(path, 'w') as f:
        f.write(topo.config(extra=text))
    try:
        r = subprocess.run([binary] + sstopo.eal_args(topo.tag) +
                           ['--', '-c', path], capture_output=True,
                           text=True, timeout=60, stdin=subprocess.DEVNULL)
        out, rc = r.stdout + r.stderr, r.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = str(e), 0
    shutil.rmtree(d, ignore_errors=True)
    return rc, out


def inline_refusal(binary, topo):
    """What the NIC cannot do stops the start, saying why."""
    text, _ = sa_config('aes-gcm-128', False, esn=True)
    rc, out = start_fails(binary, topo, text)
    check('inline: an ESN SA is refused at start, with the reason',
          rc != 0 and 'cannot do extended sequence numbers' in out and
          'Sanitizer' not in out, out[-1500:])
    # af_packet has no inline IPsec: without the software NIC, the port
    # is refused
    text, _ = sa_config('aes-gcm-128', False)
    rc, out = start_fails(binary, topo,
                          text.replace('software = true', 'software = false'))
    check('inline: a port without inline IPsec offload (af_packet) is '
          'refused at start, pointing at software = true',
          rc != 0 and 'has no inline IPsec offload' in out and
          'ipsec.inline.software = true' in out and 'Sanitizer' not in out,
          out[-1500:])


def main():
    binary = sys.argv[1]
    topo = sstopo.Topology()
    try:
        topo.up()
        algos = ('aes-gcm-128', 'aes-cbc-128-hmac-sha256')
        if INLINE:
            algos += ('aes-gcm-256',)
            inline_refusal(binary, topo)
        for algo in algos:
            for encap in (False, True):
                one_case(binary, topo, algo, encap)
        if not INLINE:
            frag6_case(binary, topo)
            jumbo6_case(binary, topo)
            tunnel_mtu_case(binary, topo)
    finally:
        topo.close()
    failed = results.count(False)
    print('%d passed, %d failed' % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
