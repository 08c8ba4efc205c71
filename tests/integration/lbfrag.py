# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""Fragmented datagrams to the load balancer's VIPs, and what a backend
made of them: shared by integ-lb (sent and captured in namespaces) and
integ-lb-frag (pcap files). Each datagram carries a tag
'LBF:kind:family:key:i;' and then bytes of a known pattern, so that a
datagram put back together can be told whole and intact."""
import collections
import re
import struct

from scapy.all import (IP, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, UDP, Raw,
                       fragment, fragment6, raw)
from scapy.layers.inet import defragment
from scapy.layers.inet6 import defragment6

V4, V6 = '198.51.100.10', '2001:db8:2::10'
C4, C6 = '198.51.100.2', '2001:db8:2::2'
# (kind, keys): ESP and ESP in UDP by SPI id, IKE by port (to
# ike_backend), UDP flows by the hash
KINDS = (('esp', (1, 2)), ('esp-udp', (1, 2)), ('ike', (500, 4500)),
         ('hash', (0, 1, 2, 3)))
# IPv6 only: the same as esp and hash, with hop-by-hop options,
# destination options and a routing header (no segments left) in front of
# the fragment header, which every fragment carries (RFC 8200 4.5)
XKINDS = (('espx', (1, 2)), ('hashx', (0, 1, 2, 3)))
# the layers in front of the fragment header, and of a whole one's payload
XCHAIN = ['IPv6ExtHdrHopByHop', 'IPv6ExtHdrDestOpt', 'IPv6ExtHdrRouting']


def pattern(n):
    return bytes((i * 7 + 3) & 0xff for i in range(n))


def tag(kind, fam, key, i):
    return 'LBF:%s:%d:%d:%d;' % (kind, fam, key, i)


def _l4(kind, key, body):
    """IP protocol and payload of one kind."""
    kind = kind[:-1] if kind in ('espx', 'hashx') else kind
    if kind == 'esp':
        return 50, Raw(struct.pack('>II', key << 28 | 0x1234, 1) + body)
    if kind == 'esp-udp':
        return 17, UDP(sport=4500, dport=4500) / Raw(
            struct.pack('>II', key << 28 | 0x5678, 1) + body)
    if kind == 'ike':
        return 17, UDP(sport=key, dport=key) / Raw(
            (bytes(4) if key == 4500 else b'') + bytes(8) + body)
    return 17, UDP(sport=30000 + key, dport=9999) / Raw(body)


def fragments(kind, fam, key, i, n, size, fragsize):
    """Datagram n (its IP identification comes from n) of 'size' bytes
    from the tag on, as IP fragments of fragsize (IPv4) or fragsize
    bytes in all (IPv6); every third one last fragment first."""
    t = tag(kind, fam, key, i).encode()
    proto, pl = _l4(kind, key, t + pattern(size - len(t)))
    if fam == 4:
        fr = fragment(IP(src=C4, dst=V4, proto=proto, id=0x4000 + n) / pl,
                      fragsize=fragsize)
    elif kind.endswith('x'):
        fr = fragment6(IPv6(src=C6, dst=V6) / IPv6ExtHdrHopByHop() /
                       IPv6ExtHdrDestOpt() /
                       IPv6ExtHdrRouting(segleft=0, addresses=[]) /
                       IPv6ExtHdrFragment(nh=proto, id=0x6000 + n) / pl,
                       fragsize)
    else:
        fr = fragment6(IPv6(src=C6, dst=V6, nh=44) /
                       IPv6ExtHdrFragment(nh=proto, id=0x6000 + n) / pl,
                       fragsize)
    return fr[::-1] if n % 3 == 0 else fr


def ext_chain(p):
    """The names of the extension headers behind p's IPv6 header, up to
    a fragment header or the upper layer."""
    out, q = [], p[IPv6].payload
    while q.__class__.__name__.startswith('IPv6ExtHdr') and \
            not isinstance(q, IPv6ExtHdrFragment):
        out.append(q.__class__.__name__)
        q = q.payload
    return out


def datagrams(pkts):
    """What one backend got: [(tag, family, intact, size)] of the
    datagrams its frames make (scapy puts the fragments together); tag
    None for one that stays incomplete or carries none. An IPv6 one is
    intact only with its extension headers (XCHAIN for the x kinds, none
    for the others)."""
    v4, v6, out = [], collections.defaultdict(list), []
    for p in pkts:
        if IP in p:
            v4.append(p[IP])
        elif IPv6ExtHdrFragment in p:
            # dissected anew: with extension headers in front of the
            # fragment header, scapy's defragment6 writes the datagram
            # into the caller's first fragment (its copy() shares them)
            v6[(p[IPv6].src, p[IPv6ExtHdrFragment].id)].append(
                IPv6(raw(p[IPv6])))
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
        t = m.group(0).decode()
        ok = tail == pattern(len(tail))
        if fam == 6:
            x = t.split(':')[1] in [k for k, _ in XKINDS]
            ok = ok and ext_chain(d) == (XCHAIN if x else [])
        out.append((t, fam, ok, len(m.group(0)) + len(tail)))
    return out


def placement(got, size):
    """got: {backend: [(tag, family, intact, size)]}. Returns {tag:
    [backends]} of the intact datagrams of the expected size (size[fam]),
    and the list of the others."""
    where, bad = collections.defaultdict(list), []
    for k, rows in got.items():
        for t, fam, ok, n in rows:
            if t is None or not ok or n != size[fam]:
                bad.append((k, t, fam, ok, n))
            else:
                where[t].append(k)
    return where, bad


def placement_checks(check, where, reps, ike_backend, ext=False):
    """Every datagram on its backend, once: by id, IKE on ike_backend,
    each hashed one on one backend; with ext, the IPv6 XKINDS too."""
    rows = [(k, keys, (4, 6)) for k, keys in KINDS]
    if ext:
        rows += [(k, keys, (6,)) for k, keys in XKINDS]
    for kind, keys, fams in rows:
        for fam in fams:
            for key in keys:
                tags = [tag(kind, fam, key, i) for i in range(reps)]
                if kind in ('hash', 'hashx'):
                    ok = all(len(where[t]) == 1 for t in tags)
                    want = 'one backend'
                else:
                    b = key if kind != 'ike' else ike_backend
                    ok = all(where[t] == [b] for t in tags)
                    want = 'b%d only' % b
                check('fragments: %s IPv%d %d: %d datagrams, each once, on '
                      '%s' % (kind, fam, key, reps, want), ok,
                      {t: where[t] for t in tags})
