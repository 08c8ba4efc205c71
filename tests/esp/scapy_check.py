#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""Independent ESP checker built on scapy.layers.ipsec (used by
tests/unit/test_esp.c through a subprocess).

--check FILE: lines in pairs (cleartext hex, ESP hex produced by
  shardsec); scapy decrypts each ESP packet with the SA and must get the
  cleartext back byte for byte; the outer header (ESP or UDP 4500) is
  checked too.
--make FILE: scapy encrypts 4 cleartext packets with the SA (sequence
  numbers 1..4, random IVs) and writes pairs (cleartext hex, ESP hex) for
  shardsec to decrypt.

Known scapy 2.5 limits worked around here: decrypting transport mode with
nat_t_header over IPv6 sets 'nh' on the UDP layer (AttributeError), so
the checker strips and verifies the UDP header itself before decrypting,
for every family and mode alike.
"""
import argparse
import struct
import sys

from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.packet import Raw

A4, B4 = '192.0.2.1', '192.0.2.2'
A6, B6 = '2001:db8::1', '2001:db8::2'


def make_sa(a):
    key = bytes.fromhex(a.key)
    kw = {}
    if a.algo.startswith('aes-gcm'):
        kw.update(crypt_algo='AES-GCM', crypt_key=key, auth_algo='NULL')
    elif a.algo == 'null-hmac-sha256':
        kw.update(crypt_algo='NULL', auth_algo='SHA2-256-128', auth_key=key)
    else:
        kw.update(crypt_algo='AES-CBC', crypt_key=key[:-32],
                  auth_algo='SHA2-256-128', auth_key=key[-32:])
    if a.mode == 'tunnel':
        kw['tunnel_header'] = (IP(src=A4, dst=B4) if a.outer == 4 else
                               IPv6(src=A6, dst=B6))
    if a.udp:
        kw['nat_t_header'] = UDP(sport=4500, dport=4500)
    if a.esn:
        kw.update(esn_en=True, esn=0)
    return SecurityAssociation(ESP, spi=a.spi, **kw)


def parse(b):
    return IP(b) if b[0] >> 4 == 4 else IPv6(b)


def strip_udp(b, a):
    """Outer packet without its UDP header (ESP right after IP)."""
    v4 = b[0] >> 4 == 4
    hl = (b[0] & 0xf) * 4 if v4 else 40
    proto = b[9] if v4 else b[6]
    if not a.udp:
        if proto != 50:
            raise SystemExit('expected IP protocol 50, got %d' % proto)
        return b
    if proto != 17:
        raise SystemExit('expected UDP encapsulation, got protocol %d' % proto)
    sport, dport, ulen, csum = struct.unpack('!HHHH', b[hl:hl + 8])
    if (sport, dport) != (4500, 4500) or ulen != len(b) - hl:
        raise SystemExit('bad UDP header %d %d %d' % (sport, dport, ulen))
    if v4 and csum != 0:
        raise SystemExit('IPv4 ESP-in-UDP checksum must be 0 (RFC 3948)')
    if not v4:
        p = IPv6(b)
        del p[UDP].chksum
        want = IPv6(bytes(p))[UDP].chksum
        if csum != want:
            raise SystemExit('bad UDP checksum 0x%04x, want 0x%04x' %
                             (csum, want))
    rest = b[hl + 8:]
    h = bytearray(b[:hl])
    if v4:
        h[9] = 50
        struct.pack_into('!H', h, 2, len(h) + len(rest))
        struct.pack_into('!H', h, 10, 0)
        s = sum(struct.unpack('!10H', bytes(h)))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        struct.pack_into('!H', h, 10, ~s & 0xffff)
    else:
        h[6] = 50
        struct.pack_into('!H', h, 4, len(rest))
    return bytes(h) + rest


def check(a, path):
    sa = make_sa(a)
    sa.nat_t_header = None	# stripped and verified by strip_udp
    lines = [l.strip() for l in open(path) if l.strip()]
    for i in range(0, len(lines), 2):
        plain = bytes.fromhex(lines[i])
        enc = strip_udp(bytes.fromhex(lines[i + 1]), a)
        pkt = parse(enc)
        dec = sa.decrypt(pkt)
        got = bytes(dec)
        if got != plain:
            print('mismatch in packet %d:\n want %s\n got  %s' %
                  (i // 2, plain.hex(), got.hex()), file=sys.stderr)
            return 1
    return 0


def make(a, path):
    sa = make_sa(a)
    with open(path, 'w') as f:
        for i in range(4):
            data = bytes((3 * i + j) & 0xff for j in range(11 + 40 * i))
            if a.mode == 'tunnel':
                inner = (IP(src='10.1.0.1', dst='10.2.0.1') if a.outer == 4
                         else IPv6(src='fd00:1::1', dst='fd00:2::1'))
            else:
                inner = (IP(src=A4, dst=B4) if a.outer == 4 else
                         IPv6(src=A6, dst=B6))
            plain = bytes(inner / UDP(sport=1000 + i, dport=2000) /
                          Raw(data))
            enc = sa.encrypt(parse(plain), seq_num=i + 1)
            f.write(plain.hex() + '\n' + bytes(enc).hex() + '\n')
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--algo', required=True)
    p.add_argument('--key', required=True)
    p.add_argument('--spi', type=int, required=True)
    p.add_argument('--mode', choices=['tunnel', 'transport'], required=True)
    p.add_argument('--outer', type=int, choices=[4, 6], required=True)
    p.add_argument('--udp', type=int, default=0)
    p.add_argument('--esn', type=int, default=0)
    p.add_argument('--check')
    p.add_argument('--make')
    a = p.parse_args()
    rc = 0
    if a.check:
        rc |= check(a, a.check)
    if a.make:
        rc |= make(a, a.make)
    return rc


if __name__ == '__main__':
    sys.exit(main())
