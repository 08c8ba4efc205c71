#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""Independent check of the generator's frames with scapy: every length
and checksum (IPv4 header, UDP/TCP, SCTP CRC32c, GTP-U length and inner
IPv4 header) must equal what scapy computes itself.
Input: a file with one frame per line as hex. Prints one line per frame
kind and exits 1 on the first mismatch.
Usage: scapy_check.py FRAMES
"""
import sys

from scapy.all import Ether, IP, IPv6, UDP, TCP
from scapy.packet import NoPayload
from scapy.layers.sctp import SCTP
from scapy.contrib.gtp import GTP_U_Header


def rebuilt(p):
    """p with every length and checksum left for scapy to compute (an
    inner UDP checksum of 0, "none" in IPv4, stays 0)."""
    q = p.copy()
    lay = q
    while lay is not None and not isinstance(lay, NoPayload):
        for f in ('chksum', 'len', 'plen', 'length'):
            if f not in lay.fields:
                continue
            if f == 'chksum' and isinstance(lay, UDP) and lay.chksum == 0:
                continue
            delattr(lay, f)
        lay = lay.payload
    return bytes(q)


def main():
    kinds = {}
    with open(sys.argv[1]) as f:
        for n, line in enumerate(f):
            raw = bytes.fromhex(line.strip())
            p = Ether(raw)
            again = rebuilt(p)
            kind = '/'.join(x.__name__ for x in (IP, IPv6, UDP, TCP, SCTP,
                                                 GTP_U_Header)
                            if p.haslayer(x))
            if again != raw:
                print('frame %d (%s): scapy computes different fields'
                      % (n, kind))
                print(' ours : %s' % raw.hex())
                print(' scapy: %s' % again.hex())
                return 1
            kinds[kind] = kinds.get(kind, 0) + 1
    for k, v in sorted(kinds.items()):
        print('scapy agrees: %4d %s' % (v, k))
    return 0 if kinds else 1


if __name__ == '__main__':
    sys.exit(main())
