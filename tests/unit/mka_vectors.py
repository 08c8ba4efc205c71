#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
#
# Independent generator of the MKA known answers embedded in test_mka.c
# (python3-cryptography's AES-CMAC; run with /usr/bin/python3). No
# published ICK/KEK vectors were found, so these come from a second
# implementation of 802.1X-2020 6.2.1 written from the standard's text:
# block i = AES-CMAC(key, i || label || 0x00 || context || L16).

from cryptography.hazmat.primitives.cmac import CMAC
from cryptography.hazmat.primitives.ciphers import algorithms


def cmac(key, msg):
    c = CMAC(algorithms.AES(key))
    c.update(msg)
    return c.finalize()


def kdf(key, label, ctx, nbytes):
    out = b''
    i = 1
    while len(out) < nbytes:
        out += cmac(key, bytes([i]) + label + b'\0' + ctx +
                    (nbytes * 8).to_bytes(2, 'big'))
        i += 1
    return out[:nbytes]


def ckn_ctx(ckn):
    return (ckn[:16] + bytes(16))[:16]


def c(name, b):
    print('static const char %s[] = "%s";' % (name, b.hex()))


cak128 = bytes.fromhex('135bd758b0ee5c11c55ff6ab19fdb199')
ckn = bytes.fromhex('96437a93ccf10d9dfe347846cce52c7d')
cak256 = bytes.fromhex('4b50d4c2c39b6efde6af1bdb5d1e98a0'
                       '9b6fe4e58fcc3b9d3fec1b3cc1e9a2b7')
ckn_long = bytes(range(1, 33))
ckn_short = bytes.fromhex('abcdef')

c('V_CAK128', cak128)
c('V_CKN', ckn)
c('V_ICK128', kdf(cak128, b'IEEE8021 ICK', ckn_ctx(ckn), 16))
c('V_KEK128', kdf(cak128, b'IEEE8021 KEK', ckn_ctx(ckn), 16))
c('V_CAK256', cak256)
c('V_CKN_LONG', ckn_long)
c('V_ICK256', kdf(cak256, b'IEEE8021 ICK', ckn_ctx(ckn_long), 32))
c('V_KEK256', kdf(cak256, b'IEEE8021 KEK', ckn_ctx(ckn_long), 32))
c('V_CKN_SHORT', ckn_short)
c('V_ICK128_SHORT', kdf(cak128, b'IEEE8021 ICK', ckn_ctx(ckn_short), 16))
sak_ctx = bytes(range(0x40, 0x40 + 32 + 24 + 4))
c('V_SAK_CTX', sak_ctx)
c('V_SAK128', kdf(cak128, b'IEEE8021 SAK', sak_ctx, 16))
c('V_SAK256', kdf(cak256, b'IEEE8021 SAK', sak_ctx, 32))
# CAK renewal derivations (ss_mka_renew.c)
c('V_RK128', kdf(cak128, b'SS CAK RENEW', ckn, 16))
rctx = bytes(range(0xa0, 0xb0))
c('V_RCTX', rctx)
newcak = kdf(cak128, b'SS CAK v1', rctx, 16)
c('V_NEWCAK', newcak)
c('V_NEWCKN', kdf(newcak, b'SS CKN', rctx, 16))

# An MKPDU built here, with its ICV: basic set (priority 16, key server,
# desired, capability 3), SCI 02:00:00:00:00:99 port 1, MI 0x11.., MN 7,
# algorithm agility 0080C201, CKN V_CKN; a potential peer list with one
# (MI, MN); frame padded to 64 octets after the MKPDU.
ick = kdf(cak128, b'IEEE8021 ICK', ckn_ctx(ckn), 16)
src = bytes.fromhex('020000000099')
basic_body = (bytes([3, 16]) + b'\0\0' +
              src + (1).to_bytes(2, 'big') + bytes([0x11] * 12) +
              (7).to_bytes(4, 'big') + bytes.fromhex('0080c201') + ckn)
blen = 28 + len(ckn)
basic = bytearray(basic_body)
basic[2] = 0x80 | 0x40 | (3 << 4) | (blen >> 8)
basic[3] = blen & 0xff
pot = bytes([2, 0, 0, 16]) + bytes([0x22] * 12) + (3).to_bytes(4, 'big')
body = bytes(basic) + pot
eapol = bytes([3, 5]) + (len(body) + 16).to_bytes(2, 'big')
frame = bytes.fromhex('0180c2000003') + src + bytes.fromhex('888e') + \
    eapol + body
frame += cmac(ick, frame)
frame += bytes(max(0, 64 - len(frame)))
c('V_MKPDU', frame)
