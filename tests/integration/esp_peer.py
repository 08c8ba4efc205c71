#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""scapy as the remote IPsec peer, run inside the outside namespace.

  esp_peer.py recv SA_JSON SECONDS   sniff ESP on eth0, decrypt with the
                                     gateway's outbound SAs, print JSON
                                     (inner IPv4 fragments: counted in
                                     inner_frags, put together in defrag)
  esp_peer.py send SA_JSON GW_MAC DST COUNT_PER_SA [SEQ [INTERVAL [FRAG
                                     [LOSE [PAD [DF]]]]]]
                                     encrypt UDP packets to DST with each of
                                     the gateway's inbound SAs and send them;
                                     FRAG > 0: 1200-byte payloads ('|' and
                                     padding after the tag), each ESP packet
                                     cut into IP fragments of FRAG bytes
                                     (IPv6: fragment header first), sent
                                     last fragment first; LOSE >= 0: that
                                     fragment of each packet is not sent;
                                     PAD >= 0: payload bytes after the
                                     tag (default: 1200 with FRAG > 0,
                                     else none); DF 1: inner DF set
  (recv lists inner ICMP errors in 'icmp': src>dst:type:code:mtu)
SA_JSON: list of {spi, algo, key (hex), udp_encap, local, peer}.
"""
import json
import sys

from scapy.all import (ICMP, IP, UDP, Ether, IPv6, IPv6ExtHdrFragment, Raw,
                       AsyncSniffer, conf, defragment, fragment, fragment6,
                       sendp)
from scapy.layers.ipsec import ESP, SecurityAssociation

conf.verb = 0


def make_sa(d, src, dst):
    kw = {}
    key = bytes.fromhex(d['key'])
    if d['algo'].startswith('aes-gcm'):
        kw.update(crypt_algo='AES-GCM', crypt_key=key)
    elif d['algo'].startswith('aes-cbc'):
        n = 16 if '128' in d['algo'] else 32
        kw.update(crypt_algo='AES-CBC', crypt_key=key[:n],
                  auth_algo='SHA2-256-128', auth_key=key[n:])
    else:
        kw.update(crypt_algo='NULL', auth_algo='SHA2-256-128', auth_key=key)
    if d.get('udp_encap'):
        kw['nat_t_header'] = UDP(sport=4500, dport=4500)
    th = IPv6(src=src, dst=dst) if ':' in src else IP(src=src, dst=dst)
    return SecurityAssociation(ESP, spi=d['spi'], tunnel_header=th, **kw)


def udp_len_fix(pkt):
    """scapy 2.5 serialises the IPv4 + NAT-T header before it appends the
    ESP payload, freezing the UDP length at 8: put the real length back,
    as a real peer sends it."""
    if UDP not in pkt:
        return pkt
    raw = bytearray(bytes(pkt))
    ihl = (raw[0] & 0xf) * 4
    raw[ihl + 4:ihl + 6] = (len(raw) - ihl).to_bytes(2, 'big')
    return IP(bytes(raw))


def cut(pkt, size):
    """The IP fragments of pkt, size bytes at most each."""
    if IPv6 in pkt:
        f = IPv6(src=pkt[IPv6].src, dst=pkt[IPv6].dst) / IPv6ExtHdrFragment(
            nh=pkt[IPv6].nh) / Raw(bytes(pkt[IPv6].payload))
        return fragment6(f, size)
    return fragment(pkt, fragsize=size)


def recv(sas, seconds):
    by_spi = {d['spi']: d for d in sas}
    # 'ready' once the capture socket is open: the caller sends only then
    # (a fixed delay lost every packet when python started slowly)
    pk = AsyncSniffer(iface='eth0', filter='esp or udp port 4500',
                      store=True,
                      started_callback=lambda: print('ready', flush=True))
    pk.start()
    import time
    time.sleep(seconds)
    pk.stop()
    res = {'per_spi': {}, 'bad': 0, 'flows': []}
    frags = []
    for p in pk.results:
        if IP not in p:
            continue
        ip = p[IP]
        if ESP in ip:
            spi = ip[ESP].spi
        elif UDP in ip and ip[UDP].dport == 4500 and len(ip[UDP].payload) > 8:
            esp = ESP(bytes(ip[UDP].payload))
            spi = esp.spi
        else:
            continue
        d = by_spi.get(spi)
        if d is None:
            res['bad'] += 1
            continue
        sa = make_sa(d, d['local'], d['peer'])
        try:
            inner = sa.decrypt(ip)
            if IP in inner and (inner[IP].flags.MF or inner[IP].frag):
                frags.append(IP(bytes(inner[IP])))
                continue
            if ICMP in inner:
                ic = inner[ICMP]
                res.setdefault('icmp', []).append('%s>%s:%d:%d:%d' % (
                    inner.src, inner.dst, ic.type, ic.code,
                    ic.nexthopmtu if ic.type == 3 else 0))
                continue
            flow = '%s>%s:%d' % (inner.src, inner.dst, inner[UDP].dport)
            res['per_spi'].setdefault('%08x' % spi, []).append(flow)
        except Exception as e:  # noqa: B902
            res['bad'] += 1
            res.setdefault('errors', []).append(str(e))
    if frags:
        res['inner_frags'] = len(frags)
        res['defrag'] = ['%s>%s:%d:%d' % (p.src, p.dst, p.proto, p.len)
                         for p in defragment(frags)
                         if not (p.flags.MF or p.frag)]
    print(json.dumps(res))


def send(sas, gw_mac, dst, count, seq=1, inter=0.0, frag=0, lose=-1,
         padlen=-1, df=False):
    frames = []
    if padlen < 0:
        padlen = 1200 if frag else 0
    pad = b'|' + b'.' * padlen if padlen else b''
    for d in sas:
        sa = make_sa(d, d['peer'], d['local'])
        sa.seq_num = seq
        for i in range(count):
            inner = IP(src='198.18.0.5', dst=dst, id=(d['spi'] + i) & 0xffff,
                       flags='DF' if df else 0) / UDP(
                sport=40000 + i, dport=d['spi'] % 1000 + 1000) / Raw(
                    b'shardsec-%08x-%d' % (d['spi'], i) + pad)
            pkt = udp_len_fix(sa.encrypt(inner))
            if frag:
                frames += [Ether(dst=gw_mac) / f for k, f in
                           reversed(list(enumerate(cut(pkt, frag))))
                           if k != lose]
            else:
                frames.append(Ether(dst=gw_mac) / pkt)
    sendp(frames, iface='eth0', inter=inter)
    print(json.dumps({'sent': len(frames)}))


if __name__ == '__main__':
    sas = json.loads(sys.argv[2])
    if sys.argv[1] == 'recv':
        recv(sas, float(sys.argv[3]))
    else:
        send(sas, sys.argv[3], sys.argv[4], int(sys.argv[5]),
             int(sys.argv[6]) if len(sys.argv) > 6 else 1,
             float(sys.argv[7]) if len(sys.argv) > 7 else 0.0,
             int(sys.argv[8]) if len(sys.argv) > 8 else 0,
             int(sys.argv[9]) if len(sys.argv) > 9 else -1,
             int(sys.argv[10]) if len(sys.argv) > 10 else -1,
             len(sys.argv) > 11 and sys.argv[11] == '1')
