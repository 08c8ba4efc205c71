#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""IKEv2 with X.509 certificates against strongSwan (auth = "pubkey").

    test_ike_cert.py BUILD/app/shardsec

A test CA and ECDSA P-256 certificates for the gateway (SAN gw.example)
and strongSwan (SAN sw.example) are made with the openssl tool. Cases:
the gateway initiates (2 per-server pairs, ping + TCP through them), then
strongSwan initiates; a gateway that trusts another CA refuses
strongSwan's certificate with a clear log line and installs nothing.
Then with RSA-3072 end-entity certificates, whose IKE_AUTH messages
exceed strongSwan's and the gateway's 1280-byte fragment size: both
ends fragment them (RFC 7383), both ways, as initiator and responder.
Needs root and strongSwan 5.9 (charon, swanctl).
"""

import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sstopo import sh  # noqa: E402
import test_ike_gw as G  # noqa: E402
from test_ike_gw import check  # noqa: E402

PLUGINS = G.PLUGINS + ' pkcs8 pubkey'


def make_pki(d, rsa=False):
    """ca.pem, other-ca.pem, gw.pem/key, sw.pem/key (ECDSA P-256, or
    RSA-3072 end entities under the ECDSA CA)."""
    def ossl(*a):
        sh(['openssl'] + list(a))

    ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
    for ca in ('ca', 'other-ca'):
        ossl('req', '-x509', *ec, '-keyout', os.path.join(d, ca + '.key'),
             '-out', os.path.join(d, ca + '.pem'), '-days', '30',
             '-subj', '/CN=shardsec test %s' % ca,
             '-addext', 'basicConstraints=critical,CA:TRUE',
             '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
    ee = ['-newkey', 'rsa:3072', '-nodes'] if rsa else ec
    for name in ('gw', 'sw'):
        csr = os.path.join(d, name + '.csr')
        ext = os.path.join(d, name + '.ext')
        with open(ext, 'w') as f:
            f.write('subjectAltName=DNS:%s.example\n' % name)
        ossl('req', *ee, '-keyout', os.path.join(d, name + '.key'),
             '-out', csr, '-subj', '/CN=%s.example' % name)
        ossl('x509', '-req', '-in', csr, '-CA', os.path.join(d, 'ca.pem'),
             '-CAkey', os.path.join(d, 'ca.key'), '-CAcreateserial',
             '-out', os.path.join(d, name + '.pem'), '-days', '30',
             '-extfile', ext)


class CertCharon(G.Charon):
    """strongSwan with its certificate in a swanctl folder of its own."""

    def __init__(self, ns, tmp, pki):
        super().__init__(ns, tmp)
        self.pki = pki
        self.swdir = os.path.join(tmp, 'swanctl')
        self.frag = True	# announce RFC 7383 (strongSwan's default)

    def start(self, psk=None):
        for sub in ('x509', 'x509ca', 'private'):
            os.makedirs(os.path.join(self.swdir, sub), exist_ok=True)
        shutil.copy(os.path.join(self.pki, 'sw.pem'),
                    os.path.join(self.swdir, 'x509'))
        shutil.copy(os.path.join(self.pki, 'ca.pem'),
                    os.path.join(self.swdir, 'x509ca'))
        shutil.copy(os.path.join(self.pki, 'sw.key'),
                    os.path.join(self.swdir, 'private'))
        lines = self.connection(
            ['auth = pubkey', 'certs = sw.pem', 'id = sw.example'],
            ['auth = pubkey', 'id = gw.example', 'cacerts = ca.pem'])
        if not self.frag:
            lines.insert(lines.index('version = 2') + 1,
                         'fragmentation = no')
        with open(os.path.join(self.swdir, 'swanctl.conf'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
        self.launch(PLUGINS)
        r = subprocess.run(['swanctl', '--load-all'] + self.uri(),
                           env=dict(os.environ, SWANCTL_DIR=self.swdir),
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0 or 'loaded certificate' not in r.stdout:
            raise RuntimeError('swanctl --load-all: ' + r.stdout + r.stderr)


def ike_section(pki, cacert='ca.pem'):
    return G.ike_section(auth='auth = "pubkey"; cert = "%s/gw.pem"; '
                         'key = "%s/gw.key"; cacert = "%s/%s";'
                         % (pki, pki, pki, cacert))


def start_gw(h, pki, cacert='ca.pem'):
    gw = h.gateway(ike_section(pki, cacert))
    check('gateway up with certificate IKE (cacert %s)' % cacert,
          'IKEv2: 1 peer(s)' in gw.out, gw.out[-1000:])
    return gw


def case_initiator(gw, charon, topo):
    charon.start()
    mark = len(G.gw_log(gw))
    t = gw.cmd('ike initiate sw')
    check('cert initiator: ike initiate sw', 'initiating' in t, t)
    pat = r'peer sw: all (\d+) child SA pairs installed ([\d.]+) ms'
    m = G.wait(lambda: re.search(pat, G.gw_log(gw)[mark:]), 30, 0.05)
    check('cert initiator: all 2 pairs installed', m and m.group(1) == '2',
          G.gw_log(gw)[-3000:] + charon.log()[-3000:])
    if m:
        print('    FIGURE: ike initiate -> 2 pairs with ECDSA certificates:'
              ' %s ms (gateway clock)' % m.group(2))
    time.sleep(0.5)
    sw = charon.list_sas()
    check('cert initiator: strongSwan: ESTABLISHED, 2 Child SA pairs',
          sw.count('ESTABLISHED') == 1 and len(G.sw_children(sw)) == 2, sw)
    log = charon.log()
    check('cert initiator: strongSwan authenticated us by our certificate '
          '(RFC 7427 ECDSA signature)',
          re.search(r"authentication of 'gw\.example' with "
                    r"ECDSA[-_ \w]*successful", log) is not None,
          '\n'.join(l for l in log.splitlines() if 'authentication' in l))
    check('cert initiator: strongSwan sent its certificate (we asked with '
          'CERTREQ)', re.search(r'sending end entity cert', log) is not None,
          log[-2000:])
    sas, out = G.gw_sas(gw)
    check('cert initiator: show sa: inbound SPIs carry ids 1 and 2',
          sorted(s >> 28 for (s, d) in sas if d == 'in') == [1, 2], out)
    st = gw.cmd('show ike stats')
    check('cert initiator: no certificate rejected',
          re.search(r'^\s+cert_rejected\s+0$', st, re.M) is not None, st)
    G.traffic(topo, 'cert initiator')
    t = gw.cmd('ike terminate sw')
    G.wait(lambda: 'no IKE SAs' in gw.cmd('show ike sa'), 10)


def case_responder(gw, charon, topo):
    mark = len(G.gw_log(gw))
    r = subprocess.run(['swanctl', '--initiate', '--child', 'net',
                        '--timeout', '20'] + charon.uri(),
                       capture_output=True, text=True, timeout=40)
    check('cert responder: strongSwan initiates, swanctl succeeds',
          r.returncode == 0, r.stdout[-2000:] + r.stderr)
    ok = G.wait(lambda: len([1 for (s, d) in G.gw_sas(gw)[0]
                             if d == 'in']) >= 1, 10)
    log = G.gw_log(gw)[mark:]
    check('cert responder: pair installed, IKE SA ESTABLISHED',
          ok and 'ESTABLISHED' in gw.cmd('show ike sa'),
          log[-2000:] + gw.cmd('show ike sa'))
    check('cert responder: strongSwan authenticated us',
          re.search(r"authentication of 'gw\.example' with "
                    r"ECDSA[-_ \w]*successful", charon.log()) is not None,
          charon.log()[-2000:])
    before = G.in_packets(gw)
    sh(['ping', '-c', '3', '-i', '0.2', '-W', '1', '-I', G.SW_HOST,
        '192.0.2.2'], ns=topo.ns_out, check=False, timeout=20)
    check('cert responder: strongSwan\'s ESP decrypted by our SA',
          G.in_packets(gw) - before >= 3, gw.cmd('show sa'))


def case_untrusted(gw, charon):
    mark = len(G.gw_log(gw))
    t = gw.cmd('ike initiate sw')
    check('untrusted CA: ike initiate sw', 'initiating' in t, t)
    ok = G.wait(lambda: G.ike_stat(gw, 'cert_rejected') >= 1, 20)
    check('untrusted CA: cert_rejected counted', ok,
          gw.cmd('show ike stats'))
    time.sleep(0.5)
    m = re.search(r'^.*certificate authentication failed: certificate not '
                  r'trusted.*$', G.gw_log(gw)[mark:], re.M)
    check('untrusted CA: clear log line (%s)'
          % (m.group(0).strip() if m else None), m is not None,
          G.gw_log(gw)[-2000:])
    sa = gw.cmd('show sa')
    check('untrusted CA: no SA installed', 'no SAs' in sa, sa)
    check('untrusted CA: no IKE SA left', G.wait(
        lambda: 'no IKE SAs' in gw.cmd('show ike sa'), 10),
        gw.cmd('show ike sa'))
    check('untrusted CA: never a key in the log',
          'PRIVATE KEY' not in G.gw_log(gw), '')


def case_rsa_fragmented(gw, charon, topo):
    charon.start()
    t = gw.cmd('ike initiate sw')
    check('RSA: ike initiate sw', 'initiating' in t, t)
    ok = G.wait(lambda: len(G.sw_children(charon.list_sas())) == 2, 30)
    check('RSA: gateway initiated, 2 Child SA pairs on strongSwan', ok,
          G.gw_log(gw)[-3000:] + charon.log()[-3000:])
    log = charon.log()
    frag_rx = re.findall(r'received fragment #(\d+) of (\d+)', log)
    frag_tx = re.search(r'splitting IKE message \((\d+) bytes\) into '
                        r'(\d+) fragments', log)
    print('    FIGURE: RSA-3072 IKE_AUTH: strongSwan received %d fragments '
          'from the gateway, split its own %s' % (
              len(frag_rx), frag_tx.group(0) if frag_tx else 'not at all'))
    check('RSA: strongSwan reassembled the gateway\'s fragmented IKE_AUTH '
          '(RFC 7383)', len(frag_rx) >= 2,
          '\n'.join(l for l in log.splitlines() if 'frag' in l.lower()))
    check('RSA: strongSwan fragmented its IKE_AUTH response',
          frag_tx is not None, log[-2000:])
    check('RSA: strongSwan authenticated us with RSA',
          re.search(r"authentication of 'gw\.example' with "
                    r"RSA[-_ \w]*successful", log) is not None,
          '\n'.join(l for l in log.splitlines() if 'authentication' in l))
    check('RSA: gateway reassembled (rx_reassembled >= 1) and sent '
          'fragments (tx_fragments >= 2)',
          G.ike_stat(gw, 'rx_reassembled') >= 1 and
          G.ike_stat(gw, 'tx_fragments') >= 2 and
          G.ike_stat(gw, 'rx_fragment_bad') == 0, gw.cmd('show ike stats'))
    G.traffic(topo, 'RSA initiator')
    gw.cmd('ike terminate sw')
    G.wait(lambda: 'no IKE SAs' in gw.cmd('show ike sa'), 10)
    rx0 = G.ike_stat(gw, 'rx_reassembled')
    r = subprocess.run(['swanctl', '--initiate', '--child', 'net',
                        '--timeout', '20'] + charon.uri(),
                       capture_output=True, text=True, timeout=40)
    check('RSA: strongSwan initiates with a fragmented IKE_AUTH, swanctl '
          'succeeds', r.returncode == 0, r.stdout[-2000:] + r.stderr)
    check('RSA responder: gateway reassembled strongSwan\'s request',
          G.ike_stat(gw, 'rx_reassembled') > rx0, gw.cmd('show ike stats'))
    before = G.in_packets(gw)
    sh(['ping', '-c', '3', '-i', '0.2', '-W', '1', '-I', G.SW_HOST,
        '192.0.2.2'], ns=topo.ns_out, check=False, timeout=20)
    check('RSA responder: strongSwan\'s ESP decrypted by our SA',
          G.in_packets(gw) - before >= 3, gw.cmd('show sa'))


def case_rsa_ip_fragments(gw, charon, topo):
    """strongSwan without RFC 7383 (fragmentation = no): the gateway's
    IKE_AUTH (RSA-3072, ~1.7 kB) goes as IP fragments of at most
    fragment_size bytes, which strongSwan's stack puts together."""
    charon.stop()
    charon.frag = False
    charon.start()
    f0 = G.ike_stat(gw, 'gw_tx_ip_fragments')
    x0 = G.ike_stat(gw, 'tx_fragments')
    t = gw.cmd('ike initiate sw')
    check('RSA, no RFC 7383: ike initiate sw', 'initiating' in t, t)
    ok = G.wait(lambda: len(G.sw_children(charon.list_sas())) == 2, 30)
    check('RSA, no RFC 7383: 2 Child SA pairs on strongSwan', ok,
          G.gw_log(gw)[-3000:] + charon.log()[-3000:])
    nf = G.ike_stat(gw, 'gw_tx_ip_fragments') - f0
    print('    FIGURE: RSA-3072 IKE_AUTH without RFC 7383: %d IP fragments'
          % nf)
    check('RSA, no RFC 7383: the gateway sent its IKE_AUTH as IP '
          'fragments (%d), no IKE fragments' % nf,
          nf >= 2 and G.ike_stat(gw, 'tx_fragments') == x0,
          gw.cmd('show ike stats'))
    G.traffic(topo, 'RSA, IP fragments')
    gw.cmd('ike terminate sw')
    G.wait(lambda: 'no IKE SAs' in gw.cmd('show ike sa'), 10)


def run(h):
    pki = os.path.join(h.tmp, 'pki')
    os.mkdir(pki)
    make_pki(pki)
    charon = h.charon(CertCharon, pki)
    gw = start_gw(h, pki)
    h.cases(charon, (('initiator', lambda: case_initiator(gw, charon,
                                                          h.topo)),
                     ('responder', lambda: case_responder(gw, charon,
                                                          h.topo))))
    h.finish(gw)
    gw = start_gw(h, pki, 'other-ca.pem')
    h.cases(charon, (('untrusted', lambda: case_untrusted(gw, charon)),))
    h.finish(gw, ' (2)')
    charon.stop()
    pki = os.path.join(h.tmp, 'pki-rsa')
    os.mkdir(pki)
    make_pki(pki, rsa=True)
    charon = h.charon(CertCharon, pki)
    gw = start_gw(h, pki)
    h.cases(charon, (('rsa_fragmented',
                      lambda: case_rsa_fragmented(gw, charon, h.topo)),
                     ('rsa_ip_fragments',
                      lambda: case_rsa_ip_fragments(gw, charon, h.topo))))
    h.finish(gw, ' (3)')


def main():
    return G.strongswan_main(__doc__, 'ssikecert', run)


if __name__ == '__main__':
    sys.exit(main())
