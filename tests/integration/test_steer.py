#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""Steering by instance-id, end to end: 4 servers (ids 1..4) on 2 worker
lcores. ESP with SPI id k (from the outside), GTP-U G-PDUs with TEID id k
and SCTP with verification tag id k (from the inside) must all be
processed by server k: per-server counters prove it, 100%. Packets with
no usable id (GTP-U echo with TEID 0, SCTP INIT with tag 0) take the hash
path and are counted. Then an inbound SA is deleted while ESP flows: no
crash, every packet is either decrypted before the delete or counted as
unknown_spi after it, and nothing is decrypted twice or lost.
Usage: test_steer.py PATH/TO/shardsec
"""
import json
import os
import re
import secrets
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sstopo  # noqa: E402
from sstopo import sh  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
N = 25
results = []


def check(name, ok, detail=''):
    results.append(bool(ok))
    print('%s: %s%s' % ('PASS' if ok else 'FAIL', name,
                        (' (' + str(detail)[-2000:] + ')')
                        if detail and not ok else ''))
    sys.stdout.flush()


def ipsec_text(ids):
    sas, lines = [], []
    for sid in ids:
        for d in ('in', 'out'):
            spi = (sid << 28) | 0x5000 | sid if d == 'in' else 0x0b000000 | sid
            s = {'server': sid, 'dir': d, 'spi': spi, 'algo': 'aes-gcm-128',
                 'key': secrets.token_hex(20), 'udp_encap': False,
                 'local': '198.51.100.1', 'peer': '198.51.100.2'}
            sas.append(s)
            lines.append('{ server = %d; dir = "%s"; spi = 0x%08x; '
                         'algo = "aes-gcm-128"; key = "%s"; }'
                         % (sid, d, spi, s['key']))
    return '''ipsec = {
  replay_window = 1024;
  esn = false;
  tunnels = ( { name = "remote"; local = "198.51.100.1";
    peer = "198.51.100.2"; mode = "tunnel";
    local_ts = [ "192.0.2.0/24" ]; remote_ts = [ "198.18.0.0/24" ];
    sas = ( %s ); } );
};
''' % ',\n      '.join(lines), sas


APP = r'''
import sys, random
from scapy.all import Ether, IP, UDP, Raw, sendp, conf
from scapy.layers.sctp import SCTP, SCTPChunkData, SCTPChunkInit
conf.verb = 0
gw, n, noid = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "noid"
random.seed(7)
fr = []
for k in ((1, 2, 3, 4) if not noid else ()):
    for i in range(n):
        teid = (k << 28) | random.randrange(1, 1 << 28)
        gtp = bytes([0x30, 0xff, 0, 8]) + teid.to_bytes(4, "big") + b"gtpdata!"
        fr.append(Ether(dst=gw) / IP(src="192.0.2.2", dst="198.51.100.99") /
                  UDP(sport=2152, dport=2152) / Raw(gtp))
        vtag = (k << 28) | random.randrange(1, 1 << 28)
        fr.append(Ether(dst=gw) / IP(src="192.0.2.2", dst="198.51.100.99") /
                  SCTP(sport=36412, dport=36412, tag=vtag) /
                  SCTPChunkData(data=b"s1ap"))
# no usable id: GTP-U echo request (TEID 0) and SCTP INIT (tag 0)
for i in range(5 if noid else 0):
    fr.append(Ether(dst=gw) / IP(src="192.0.2.2", dst="198.51.100.99") /
              UDP(sport=2152, dport=2152) / Raw(bytes([0x32, 1, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0])))
    fr.append(Ether(dst=gw) / IP(src="192.0.2.2", dst="198.51.100.99") /
              SCTP(sport=36412, dport=36412, tag=0) / SCTPChunkInit(init_tag=1 + i))
sendp(fr, iface="eth0")
'''

SNIFF = r'''
import sys, json, time
from scapy.all import AsyncSniffer, UDP, conf
conf.verb = 0
s = AsyncSniffer(iface="eth0", filter="udp and src host 198.18.0.5",
                 started_callback=lambda: print("ready", flush=True))
s.start()
time.sleep(float(sys.argv[1])); s.stop()
print(json.dumps([bytes(p[UDP].payload).decode(errors="replace")
                  for p in s.results if UDP in p]))
'''


def servers(gw):
    out = gw.cmd('show servers')
    rows = {}
    for m in re.finditer(r'^(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)',
                         out, re.M):
        rows[int(m.group(2))] = {'lcore': int(m.group(3)),
                                 'rx': int(m.group(5)),
                                 'esp_in': int(m.group(6))}
    return rows, out


def stat(gw, name):
    m = re.search(r'^\s+%s\s+(\d+)' % name, gw.cmd('show stats'), re.M)
    return int(m.group(1)) if m else -1


def main():
    binary = sys.argv[1]
    topo = sstopo.Topology()
    gw = None
    try:
        topo.up()
        text, sas = ipsec_text((1, 2, 3, 4))
        gw = sstopo.Gateway(binary, topo, topo.config(
            servers=((1, 1), (2, 1), (3, 2), (4, 2)), extra=text))
        check('4 servers on 2 worker lcores',
              '4 server(s) on 2 worker lcore(s)' in gw.out, gw.out[-400:])
        check('NIC steering probed and reported',
              'NIC steering' in gw.out, gw.out[-600:])
        mac_in = sh(['cat', '/sys/class/net/%s/address' %
                     topo.gw_in]).stdout.strip()
        mac_out = sh(['cat', '/sys/class/net/%s/address' %
                      topo.gw_out]).stdout.strip()
        sh(['ping', '-c', '2', '-i', '0.2', '192.0.2.1'], ns=topo.ns_in,
           check=False)
        sh(['ping', '-c', '2', '-i', '0.2', '198.51.100.1'], ns=topo.ns_out,
           check=False)
        time.sleep(0.5)
        gw.cmd('clear stats')
        gw.cmd('runtime on')
        sh(['/usr/bin/python3', '-c', APP, mac_in, str(N), 'id'],
           ns=topo.ns_in, timeout=120)
        inb = [s for s in sas if s['dir'] == 'in']
        sh(['/usr/bin/python3', os.path.join(HERE, 'esp_peer.py'), 'send',
            json.dumps(inb), mac_out, '192.0.2.99', str(N)], ns=topo.ns_out,
           timeout=120)
        time.sleep(1.5)
        rows, out = servers(gw)
        st = gw.cmd('show stats')
        for k in (1, 2, 3, 4):
            r = rows.get(k, {})
            check('server %d (lcore %s): ESP, GTP-U and SCTP of id %d all '
                  'here (%d = 3 x %d)' % (k, r.get('lcore'), k, 3 * N, N),
                  r.get('rx') == 3 * N and r.get('esp_in') == N, out)
        # the same figures through rte_telemetry, for monitoring agents
        tel = sh(['/usr/bin/python3', os.path.join(HERE, '..', '..',
                  'usertools', 'ss-telemetry.py'), '-f', 'ss' + topo.tag,
                  '/shardsec/servers', '/shardsec/sa',
                  '/shardsec/runtime']).stdout
        objs = [json.loads(x) for x in tel.splitlines()]
        srv = objs[0]['/shardsec/servers']
        check('telemetry /shardsec/servers: esp_in per server',
              all(srv['server%d' % k]['esp_in'] == N for k in (1, 2, 3, 4)),
              tel)
        tsa = objs[1]['/shardsec/sa']
        check('telemetry /shardsec/sa lists the 8 SAs, never a key',
              len(tsa) == 8 and all(x['key'] not in tel for x in sas) and
              tsa['0x%08x' % inb[0]['spi']]['packets'] == N, tel)

        rt = objs[2]['/shardsec/runtime']
        wk = [v for k, v in rt.items() if k.startswith('worker')]
        check('telemetry /shardsec/runtime: on, 2 workers, their '
              'esp-decrypt stages took the %d ESP packets' % (4 * N),
              rt['on'] == 1 and len(wk) == 2 and
              sum(w['esp_decrypt_packets'] for w in wk) == 4 * N and
              all(w['esp_decrypt_cycles'] > 0 for w in wk) and
              all(w['classify_packets'] == w['rx_packets'] for w in wk),
              tel)
        gw.cmd('runtime off')

        # the shell's JSON for scripts
        js = gw.cmd('show servers json')
        try:
            arr = json.loads(js[js.index('['):js.rindex(']') + 1])
        except ValueError:
            arr = []
        check('show servers json: esp_in per instance-id',
              sorted((x['instance_id'], x['esp_in']) for x in arr) ==
              [(k, N) for k in (1, 2, 3, 4)], js)
        js = gw.cmd('show sa json')
        try:
            arr = json.loads(js[js.index('['):js.rindex(']') + 1])
        except ValueError:
            arr = []
        check('show sa json: 8 SAs, drops by reason, no key',
              len(arr) == 8 and 'replay' in arr[0]['drops'] and
              all(x['key'] not in js for x in sas), js[-600:])

        # each outbound packet went through the SPD: the protect rule's
        # hits, and the workers' SPD caches answered flows' later packets
        js = gw.cmd('show spd json')
        try:
            spd = json.loads(js[js.index('{'):js.rindex('}') + 1])
            hits = sum(x['hits'] for x in spd['rules']) + spd['default_hits']
        except (ValueError, KeyError):
            hits = -1
        check('show spd: every outbound packet counted (%d >= %d)'
              % (hits, 8 * N), hits >= 8 * N, js[-800:])
        m = re.search(r'cache_hit\s+(\d+)', gw.cmd('show stats'))
        check('SPD cache answered repeated flows (cache_hit %s)' %
              (m.group(1) if m else None), m and int(m.group(1)) > 0,
              gw.cmd('show stats'))

        # no usable id: hashed, counted
        sh(['/usr/bin/python3', '-c', APP, mac_in, str(N), 'noid'],
           ns=topo.ns_in, timeout=120)
        time.sleep(1)
        st = gw.cmd('show stats')
        check('GTP-U with TEID 0 counted as no-id (5)',
              re.search(r'noid_gtpu\s+5\b', st) is not None, st)
        check('SCTP with tag 0 counted as no-id (5)',
              re.search(r'noid_sctp\s+5\b', st) is not None, st)
        check('steered by TEID: 100 G-PDUs',
              re.search(r'steer_gtpu\s+%d\b' % (4 * N), st) is not None, st)
        check('steered by SCTP tag: 100 packets',
              re.search(r'steer_sctp\s+%d\b' % (4 * N), st) is not None, st)

        # delete an inbound SA while ESP for it flows
        victim = inb[0]
        total = 400
        sn = subprocess.Popen(['ip', 'netns', 'exec', topo.ns_in,
                               '/usr/bin/python3', '-c', SNIFF, '12'],
                              stdout=subprocess.PIPE, text=True)
        sn.stdout.readline()
        before = stat(gw, 'decrypted')
        unk0 = stat(gw, 'unknown_spi')
        sender = subprocess.Popen(
            ['ip', 'netns', 'exec', topo.ns_out, '/usr/bin/python3',
             os.path.join(HERE, 'esp_peer.py'), 'send', json.dumps([victim]),
             mac_out, '192.0.2.2', str(total), '5000', '0.01'],
            stdout=subprocess.PIPE, text=True)
        time.sleep(3.0)		# mid-way through ~4 s of sending
        d = gw.cmd('sa del in %x' % victim['spi'])
        check('sa del while traffic flows', 'deleted in SA' in d, d)
        sender.communicate(timeout=120)
        time.sleep(1)
        got = json.loads(sn.communicate(timeout=60)[0].strip().splitlines()
                         [-1])
        dec = stat(gw, 'decrypted') - before
        unk = stat(gw, 'unknown_spi') - unk0
        check('every packet decrypted before the delete or counted after '
              'it (%d + %d = %d)' % (dec, unk, total), dec + unk == total,
              '%d %d' % (dec, unk))
        check('the delete took effect mid-stream (%d decrypted)' % dec,
              0 < dec < total, dec)
        check('inside host got exactly the decrypted ones, none twice',
              len(got) == dec and len(set(got)) == len(got),
              '%d vs %d' % (len(got), dec))
        o = gw.cmd('show sa %x' % victim['spi'])
        check('deleted SA is gone', 'no SA with SPI' in o, o)
        n, out = 0, ''
        r = sh(['ping', '-c', '3', '-i', '0.2', '-W', '2', '198.51.100.2'],
               ns=topo.ns_in, check=False)
        check('gateway still forwards', ' 0% packet loss' in r.stdout,
              r.stdout)
    finally:
        if gw is not None:
            rc, err = gw.stop()
            check('clean exit, no sanitizer report',
                  rc == 0 and 'Sanitizer' not in err, err[-2000:])
        topo.close()
    failed = results.count(False)
    print('%d passed, %d failed' % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
