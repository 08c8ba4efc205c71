#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""Keys pushed into the NIC, with a pause and an acknowledgement
(concepts.md section 2), in the real gateway against a real strongSwan
5.9.8, on the software inline NIC (drivers/swnic) with a key store that
takes 300 ms, so that every pause is long enough to see.

inside host 192.0.2.2 -- shardsec (2 servers, ids 1 and 2, backend
"swnic") -- outside namespace: charon (kernel-libipsec) at 198.51.100.2
protecting 198.18.1.0/24.

Cases:
1. outbound pause: the child starts on demand; a ping is held while its
   ACQUIRE has IKE negotiate, then while the NIC stores the new SAs'
   keys (`show sa` lists them as paused, `show swnic` the pending
   pushes), and is answered; nothing is dropped as "paused"; every SA
   is resumed after the store time.
2. inbound pause: strongSwan initiates (we answer) and, as soon as it
   has its SA, sends 100 numbered datagrams 1 ms apart while our inbound
   SA's key is still on its way to the NIC: its ESP is held (inbound
   hold, more than one burst of it) and decrypted once the key is
   stored: all 100 arrive, once each, in order.
3. rekey under traffic: UDP datagrams numbered and sent every 5 ms from
   the inside host while `ike rekey` replaces both pairs: the new SAs are
   paused 300 ms, and every datagram arrives once, in order.
4. terminate: the SAs go, their key slots are erased (`show swnic`: 0
   used), and no output of the gateway ever shows key bytes.
Usage: test_keyoff.py PATH/TO/shardsec
Needs root. Prints "N passed, N failed"; exit status 1 on any failure.
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sstopo import sh  # noqa: E402
import test_ike_gw as gwt  # noqa: E402
from test_ike_gw import check, wait, gw_sas, gw_log  # noqa: E402

SW_HOST = gwt.SW_HOST
LAT_MS = 300

SWNIC = '''ipsec = {
  backend = "swnic";
  swnic = { slots = 64; latency_us = %d; };
};
''' % (LAT_MS * 1000)


def js(gw, cmd):
    out = gw.cmd(cmd)
    try:
        return json.loads(out[out.index('{'):out.rindex('}') + 1])
    except ValueError:
        return {}


def paused_sas(gw):
    return len(re.findall(r'^spi=.* paused$', gw.cmd('show sa'), re.M))


def esp_paused_drops(gw):
    m = re.search(r'^\s+paused\s+(\d+)', gw.cmd('show stats'), re.M)
    return int(m.group(1)) if m else -1


def case_outbound(gw, charon, topo):
    charon.start(gwt.PSK)
    # the child starts on demand: this ping is held (no SA), its ACQUIRE
    # starts IKE, and it is held again while the new SAs' keys are pushed
    p = subprocess.Popen(['ip', 'netns', 'exec', topo.ns_in, 'ping', '-c',
                          '1', '-W', '10', SW_HOST], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    seen = wait(lambda: paused_sas(gw) >= 2, 5, 0.02)
    sw = js(gw, 'show swnic json')
    check('outbound: SAs installed paused while their keys are pushed '
          '(show sa: %d paused; show swnic: %s pending)'
          % (seen or 0, sw.get('pending')), seen and
          sw.get('pending', 0) >= 1, gw.cmd('show sa'))
    out, _ = p.communicate(timeout=20)
    m = re.search(r'time=([\d.]+) ms', out)
    check('outbound: the ping that started the negotiation is answered '
          '(rtt %s ms: held for the negotiation, then the key push)'
          % (m.group(1) if m else None), p.returncode == 0 and m and
          float(m.group(1)) >= LAT_MS * 0.9, out)
    ok = wait(lambda: paused_sas(gw) == 0 and
              len(gw_sas(gw)[0]) == 4, 5)
    check('outbound: all 4 SAs resumed', ok, gw.cmd('show sa'))
    sw = js(gw, 'show swnic json')
    check('outbound: show swnic: 4 keys stored, 4 SAs resumed, store '
          'time >= %d ms (min %s), nothing refused'
          % (LAT_MS, sw.get('store_ms', {}).get('min')),
          sw.get('stored') == 4 and sw.get('resumed') == 4 and
          sw.get('used') == 4 and sw.get('refused') == 0 and
          sw['store_ms']['min'] >= LAT_MS, sw)
    if 'store_ms' in sw:
        print('    FIGURE: key push -> NIC stored: min %.1f avg %.1f max '
              '%.1f ms (configured %d ms); SA paused min %.1f avg %.1f '
              'max %.1f ms' % (sw['store_ms']['min'], sw['store_ms']['avg'],
                               sw['store_ms']['max'], LAT_MS,
                               sw['paused_ms']['min'],
                               sw['paused_ms']['avg'],
                               sw['paused_ms']['max']))
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                        '..', 'usertools', 'ss-telemetry.py')
    tel = sh(['/usr/bin/python3', tool, '-f', 'ss' + topo.tag,
              '/shardsec/swnic'], check=False).stdout
    try:
        t = json.loads(tel)['/shardsec/swnic']
    except (ValueError, KeyError):
        t = {}
    check('telemetry /shardsec/swnic: 4 stored, 4 resumed, store time '
          '>= %d ms' % LAT_MS, t.get('stored') == 4 and
          t.get('resumed') == 4 and
          t.get('store_max_us', 0) >= LAT_MS * 1000, tel)
    log = gw_log(gw)
    check('outbound: the log says each key was stored and its SA resumed',
          len(re.findall(r'swnic: SA 0x[0-9a-f]{8} (in|out): key stored in '
                         r'slot \d+ after [\d.]+ ms; resumed', log)) >= 4,
          log[-2000:])
    check('outbound: nothing dropped as "paused"', esp_paused_drops(gw) == 0,
          gw.cmd('show stats'))
    r = sh(['ping', '-c', '5', '-i', '0.2', '-W', '2', SW_HOST],
           ns=topo.ns_in, check=False, timeout=30)
    check('outbound: ping through the NIC-keyed SAs (5/5)',
          ' 0% packet loss' in r.stdout, r.stdout)


def case_inbound(gw, charon, topo):
    t = gw.cmd('ike terminate sw')
    ok = wait(lambda: 'no SAs' in gw.cmd('show sa') and
              'ESTABLISHED' not in charon.list_sas(), 10)
    check('inbound: ike terminate sw (%s)' % t.strip(), ok,
          gw.cmd('show sa'))
    h0 = sum(x['in']['held'] for x in js(gw, 'show hold json')
             .get('servers', []))
    port, n = 5030, 100
    sink = subprocess.Popen(['ip', 'netns', 'exec', topo.ns_in,
                             '/usr/bin/python3', '-c', UDP_SINK, '192.0.2.2',
                             str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    sink.stdout.readline()
    # strongSwan initiates; as soon as it has installed its SA it sends
    # 100 datagrams (1 ms apart), while our inbound SA's key is still on
    # its way to the NIC
    ini = subprocess.Popen(['swanctl', '--initiate', '--child', 'net',
                            '--timeout', '15'] + charon.uri(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    inst = wait(lambda: 'INSTALLED' in charon.list_sas(), 10, 0.01)
    paused_then = paused_sas(gw)
    sh(['/usr/bin/python3', '-c', UDP_PACE_FROM, '192.0.2.2', str(port),
        str(n), '0.001', SW_HOST], ns=topo.ns_out)
    ini.communicate(timeout=30)
    out, _ = sink.communicate(timeout=30)
    check('inbound: strongSwan initiated and installed its SA while ours '
          'were paused (%d paused then)' % paused_then,
          inst and paused_then >= 1, charon.list_sas() + gw.cmd('show sa'))
    got = [int(x) for x in out.split()]
    check('inbound: %d of %d datagrams strongSwan sent during our pause '
          'arrived, once each, in order' % (len(got), n),
          got == list(range(n)), out[-500:])
    r = sh(['ping', '-c', '5', '-i', '0.05', '-W', '5', '-I', SW_HOST,
            '192.0.2.2'], ns=topo.ns_out, check=False, timeout=30)
    check('inbound: ping from strongSwan\'s side (5/5)',
          ' 0% packet loss' in r.stdout, r.stdout)
    hj = js(gw, 'show hold json')
    held = sum(x['in']['held'] for x in hj.get('servers', [])) - h0
    rel = sum(x['in']['released'] for x in hj.get('servers', []))
    check('inbound: ESP of the paused inbound SAs held (%d) and decrypted '
          'after the key was stored, none dropped as "paused"' % held,
          held >= 32 and rel >= held and esp_paused_drops(gw) == 0,
          gw.cmd('show hold') + gw.cmd('show stats'))


UDP_SINK = r'''
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2]))); s.settimeout(3)
print("ready", flush=True)
got = []
try:
    while True:
        got.append(int(s.recv(100)))
except socket.timeout:
    pass
print(" ".join(map(str, got)), flush=True)
'''

UDP_PACE_FROM = r'''
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[5], 0))
n, gap = int(sys.argv[3]), float(sys.argv[4])
t = time.time()
for i in range(n):
    s.sendto(b"%d" % i, (sys.argv[1], int(sys.argv[2])))
    t += gap
    time.sleep(max(0, t - time.time()))
'''

UDP_PACE = r'''
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n, gap = int(sys.argv[3]), float(sys.argv[4])
t = time.time()
for i in range(n):
    s.sendto(b"%d" % i, (sys.argv[1], int(sys.argv[2])))
    t += gap
    time.sleep(max(0, t - time.time()))
'''


def udp_across_rekey(gw, topo, port, n, gap):
    """n numbered datagrams from the inside host to strongSwan's side,
    one every gap s, with `ike rekey sw net` 0.5 s in: the shell's answer
    and the numbers that arrived, in arrival order."""
    sink = subprocess.Popen(['ip', 'netns', 'exec', topo.ns_out,
                             '/usr/bin/python3', '-c', UDP_SINK, SW_HOST,
                             str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        sink.stdout.readline()
        src = subprocess.Popen(['ip', 'netns', 'exec', topo.ns_in,
                                '/usr/bin/python3', '-c', UDP_PACE, SW_HOST,
                                str(port), str(n), str(gap)])
        time.sleep(0.5)
        r = gw.cmd('ike rekey sw net')
        src.wait(timeout=30)
        out, _ = sink.communicate(timeout=30)
    finally:
        if sink.poll() is None:
            sink.kill()
            sink.wait()
    return r, [int(x) for x in out.split()]


def case_rekey(gw, charon, topo):
    sas0, _ = gw_sas(gw)
    res0 = js(gw, 'show swnic json').get('resumed', 0)
    n = 600
    r, got = udp_across_rekey(gw, topo, 5020, n, 0.005)
    check('rekey: ike rekey sw net under traffic', 'rekeying' in r, r)
    check('rekey: %d of %d datagrams (every 5 ms through 2 pauses of %d '
          'ms) arrived, once each, in order' % (len(got), n, LAT_MS),
          got == list(range(n)),
          'missing %s, out of order %d' % (
              sorted(set(range(n)) - set(got))[:20],
              sum(1 for a, b in zip(got, got[1:]) if b < a)))
    sas1, out = gw_sas(gw)
    check('rekey: new SPIs in use', set(sas1) - set(sas0), out)
    res = js(gw, 'show swnic json').get('resumed', 0) - res0
    check('rekey: the new SAs were paused, then resumed (%d)' % res,
          res >= 4, gw.cmd('show swnic'))


def case_terminate(gw, charon):
    gw.cmd('ike terminate sw')
    ok = wait(lambda: 'no SAs' in gw.cmd('show sa') and
              js(gw, 'show swnic json').get('used', -1) == 0, 10)
    sw = js(gw, 'show swnic json')
    check('terminate: every key slot of the NIC erased (used %s, erased %s)'
          % (sw.get('used'), sw.get('erased')), ok and
          sw.get('erased', 0) >= 8, sw)
    text = gw.out + gw_log(gw)
    check('no key bytes and no PSK in the shell output or the log',
          gwt.PSK not in text and 'key=' not in text.lower(), '')


def run(h):
    charon = h.charon()
    gw = h.gateway(gwt.ike_section(start='on-demand') + SWNIC)
    check('gateway up with the software NIC',
          re.search(r'software inline NIC: 64 key slots, %d us'
                    % (LAT_MS * 1000), gw_log(gw)) is not None,
          gw_log(gw)[-1500:])
    h.cases(charon, (('outbound', lambda: case_outbound(gw, charon,
                                                        h.topo)),
                     ('inbound', lambda: case_inbound(gw, charon, h.topo)),
                     ('rekey', lambda: case_rekey(gw, charon, h.topo)),
                     ('terminate', lambda: case_terminate(gw, charon))))
    h.finish(gw)


def main():
    return gwt.strongswan_main(__doc__, 'sskeyoff', run)


if __name__ == '__main__':
    sys.exit(main())
