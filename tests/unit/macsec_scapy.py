#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
#
# Frames protected by scapy's independent MACsec (scapy.contrib.macsec)
# for tests/unit/test_macsec.c, which embeds this script's output. Rerun
# with the system python (the one scapy is installed for):
#   /usr/bin/python3 tests/unit/macsec_scapy.py

import struct

from scapy.contrib.macsec import MACsecSA
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

SCI = 0x0200AABBCCDD0001
SSCI = 0x01020304
SALT = bytes(range(0xA0, 0xAC))

CASES = [
    # name, key, xpn, encrypt, pn, payload length
    ("gcm128_conf", bytes(range(16)), False, True, 0x1234, 100),
    ("gcm128_integ", bytes(range(16)), False, False, 0x1235, 4),
    ("gcm256_conf", bytes(range(32)), False, True, 0xFFFFFFFE, 300),
    ("xpn128_conf", bytes(range(16)), True, True, 0x00000005FFFFFFF0, 64),
    ("xpn256_integ", bytes(range(32)), True, False, 0x0000000100000001, 200),
]


def frame(n):
    return (Ether(src="02:00:aa:bb:cc:dd", dst="02:00:11:22:33:44") /
            IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1, dport=2) /
            Raw(bytes((i * 7) & 0xFF for i in range(n))))


for name, key, xpn, enc, pn, n in CASES:
    sa = MACsecSA(sci=SCI, an=1, pn=pn, key=key, icvlen=16, encrypt=enc,
                  send_sci=True, xpn_en=xpn, ssci=SSCI if xpn else None,
                  salt=SALT if xpn else None)
    p = frame(n)
    s = sa.encrypt(sa.encap(p))
    print("/* %s: key %s, pn 0x%x */" % (name, key.hex(), pn))
    print("\"%s\"," % bytes(p).hex())
    print("\"%s\"," % bytes(s).hex())
