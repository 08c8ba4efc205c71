#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""Traffic generator through the gateway, end to end.

The generator runs on its own lcore of the same shardsec process, with
its own af_packet ports on the far ends of the gateway's two veth pairs:

  gen port g-in  --veth--  gateway "inside"
  gen port g-out --veth--  gateway "outside"

Streams (config/examples/generator/gen-loopback.cfg, with tagged names):
UDP IPv4 IMIX, UDP IPv6, TCP IPv4 in the clear inside -> outside; GTP-U
and SCTP whose TEIDs / tags carry ids 1 and 2 (unequal shares, so that
only id steering gives the expected per-server counts); ESP from the
outside on both servers' inbound SAs, decrypted by the gateway and
received in the clear on the inside. Every stream: all sent packets come
back (0 loss at a modest rate), none without a stamp; latency
percentiles are printed. Also: gen rate never exceeds the asked rate,
clear gen stats zeroes, and no key appears in any output.
Then the same generator section in a second shardsec process (a dummy
net_null port with no RX, its servers idle), on two generator lcores
(one per port, so each stream is sent by one and received by the
other), against a gateway process without one: UDP and ESP, 0 loss.
Usage: test_gen.py PATH/TO/shardsec
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sstopo  # noqa: E402
from sstopo import sh  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, '..', '..', 'config', 'examples', 'generator',
                       'gen-loopback.cfg')
results = []


def check(name, ok, detail=''):
    results.append(bool(ok))
    print('%s: %s%s' % ('PASS' if ok else 'FAIL', name,
                        (' (' + str(detail)[-2000:] + ')')
                        if detail and not ok else ''))
    sys.stdout.flush()


class Loop:
    """Two veth pairs in the root namespace, names tagged by pid."""

    def __init__(self):
        self.tag = str(os.getpid() % 100000)
        self.names = {'ssgw-in': 'sgi' + self.tag,
                      'ssgw-out': 'sgo' + self.tag,
                      'ssgen-in': 'sni' + self.tag,
                      'ssgen-out': 'sno' + self.tag}
        self.made = []

    def up(self):
        for a, b in (('ssgw-in', 'ssgen-in'), ('ssgw-out', 'ssgen-out')):
            sh(['ip', 'link', 'add', self.names[a], 'type', 'veth', 'peer',
                'name', self.names[b]])
            self.made.append(self.names[a])
            for n in (self.names[a], self.names[b]):
                sh(['sysctl', '-qw', 'net.ipv6.conf.%s.disable_ipv6=1' % n])
                sh(['ip', 'link', 'set', n, 'up'])
        return self

    def config(self, edit=None):
        with open(EXAMPLE) as f:
            text = f.read()
        for k, v in self.names.items():
            text = text.replace('iface=%s' % k, 'iface=%s' % v)
        # unique vdev names per run
        text = re.sub(r'device = "(net_af_packet_\w+)', r'device = "\g<1>' +
                      self.tag, text)
        if edit:
            text = edit(text)
        return text

    def close(self):
        for n in self.made:
            sh(['ip', 'link', 'del', n], check=False)
        self.made = []


def keys_of(text):
    return re.findall(r'key = "0x([0-9a-f]+)"', text)


def gen_stats(gw):
    out = gw.cmd('show gen stats json')
    m = re.search(r'^\{"running".*\}$', out, re.M)
    if m is None:
        raise RuntimeError('no json in %r' % out)
    return json.loads(m.group(0))


def servers_json(gw):
    out = gw.cmd('show servers json')
    m = re.search(r'^\[.*?^\]$', out, re.M | re.S)
    return json.loads(m.group(0)), out


def runtime_json(gw):
    out = gw.cmd('show runtime json')
    m = re.search(r'^\{"on".*?^\]\}$', out, re.M | re.S)
    if m is None:
        raise RuntimeError('no json in %r' % out)
    return json.loads(m.group(0))


def stream(st, name):
    return [s for s in st['streams'] if s['name'] == name][0]


def edit_ids(text):
    # GTP-U: ids 1, 2, 2 (1/3 on server 1); SCTP: 2, 1, 1 (1/3 on 2).
    text = re.sub(r'(name = "gtpu";[^}]*?)ids = \[ 1, 2 \];\s*flows = 4;'
                  r'\s*size = 256; count = 4000;',
                  r'\1ids = [ 1, 2, 2 ]; flows = 6; size = 256; '
                  r'count = 3000;', text, flags=re.S)
    text = re.sub(r'(name = "sctp";[^}]*?)ids = \[ 1, 2 \]; flows = 4; '
                  r'size = 200; count = 4000;',
                  r'\1ids = [ 2, 1, 1 ]; flows = 6; size = 200; '
                  r'count = 3000;', text, flags=re.S)
    return text


def split(text, tag):
    """The gateway's config without 'gen'; a generator process's config:
    a dummy port, two servers on lcore 1, the same ipsec section (ESP
    keys), the gen section on lcores 2 and 3, only streams udp4 and
    esp-in."""
    i = text.index('\ngen = {')
    gw, gen = text[:i], text[i:]
    head = gw[:gw.index('ports = (')]
    ipsec = gw[gw.index('ipsec = {'):]
    # two generator lcores: g-in (udp4 out, esp-in back) on 2, g-out
    # (udp4 back, esp-in out) on 3
    gen = gen.replace('lcore = 3;', 'lcore = [ 2, 3 ];')
    gen = gen.replace('{ name = "g-out";', '{ name = "g-out"; lcore = 3;')
    keep = [b for b in re.findall(r'\n\t\t(?:#[^\n]*\n\t\t)*(\{ name = .*?\})',
                                  gen, flags=re.S)
            if 'name = "udp4"' in b or 'name = "esp-in"' in b]
    gen = re.sub(r'streams = \(.*?\n\t\);', 'streams = (\n\t\t' +
                 ',\n\t\t'.join(keep) + '\n\t);', gen, flags=re.S)
    gen = gen.replace('count = 12000', 'count = 3000')
    g = (head + 'ports = ( { name = "dummy"; device = "net_null_%s,no-rx=1"; '
         '} );\nservers = ( { id = 1; lcore = 1; }, { id = 2; lcore = 1; } '
         ');\n' % tag + ipsec + gen)
    return gw, g


def second_process(binary):
    loop = Loop()
    gw = gn = None
    try:
        loop.up()
        gwtext, gntext = split(loop.config(), loop.tag)
        check('second process config: streams udp4 and esp-in',
              re.findall(r'name = "([\w-]+)"; proto', gntext) ==
              ['udp4', 'esp-in'] and 'gen = {' not in gwtext, gntext)

        class A:
            tag = loop.tag + 'a'

        gw = sstopo.Gateway(binary, A, gwtext, nlcores=3)
        # DPDK 22.11's af_packet names its PACKET_FANOUT group
        # (pid ^ ifindex) & 0xffff: a second process can collide with the
        # first one's group on another interface (EINVAL). A new process
        # has a new pid: try again.
        for attempt in range(4):
            class B:
                tag = loop.tag + 'b%d' % attempt
            try:
                gn = sstopo.Gateway(binary, B, gntext, nlcores=4)
                break
            except RuntimeError as e:
                if 'PACKET_FANOUT' not in str(e) or attempt == 3:
                    raise
                print('  af_packet fanout id collision, new process')
        o = gw.cmd('gen start')
        check('gateway without a gen section refuses gen commands',
              'error: gen start: no traffic generator' in o, o)
        gn.cmd('gen start')
        o = gn.cmd('gen wait 60000', timeout=70)
        check('second process: gen wait ends', 'error' not in o, o)
        st = gen_stats(gn)
        check('second process: generator lcores 2 and 3, udp4 sent by 2, '
              'esp-in by 3', st['lcores'] == [2, 3] and
              stream(st, 'udp4')['lcore'] == 2 and
              stream(st, 'esp-in')['lcore'] == 3, st)
        for s in st['streams']:
            n = {'udp4': 3000, 'esp-in': 4000}[s['name']]
            check('second process: %-6s %d sent, %d back on the other '
                  'lcore, 0 lost, 0 on a wrong port' %
                  (s['name'], s['tx'], s['rx']),
                  s['tx'] == n and s['rx'] == n and s['lost'] == 0 and
                  s['wrong_port'] == 0 and s['lat_ns']['count'] == n, s)
            lat = s['lat_ns']
            print('  %-6s (2 processes) latency us: p50 %.1f  p99 %.1f  '
                  'p999 %.1f' % (s['name'], lat['p50'] / 1e3,
                                 lat['p99'] / 1e3, lat['p999'] / 1e3))
        js, raw = servers_json(gw)
        check('second process: ESP decrypted by the gateway\'s servers',
              {r['instance_id']: r['esp_in'] for r in js} ==
              {1: 2000, 2: 2000}, raw)
    finally:
        for p in (gn, gw):
            if p is not None:
                rc, err = p.stop()
                check('second process: clean exit', rc == 0 and
                      'Sanitizer' not in err, err[-2000:])
        loop.close()


def main():
    binary = sys.argv[1]
    loop = Loop()
    gw = None
    try:
        loop.up()
        text = loop.config(edit_ids)
        check('test config has unequal id shares',
              'ids = [ 1, 2, 2 ]' in text and 'ids = [ 2, 1, 1 ]' in text)
        keys = keys_of(text)

        class T:
            tag = loop.tag
        gw = sstopo.Gateway(binary, T, text, nlcores=4)

        # 1. id steering: one application stream at a time.
        by_id = {}
        for name, want in (('gtpu', {1: 1000, 2: 2000}),
                           ('sctp', {1: 2000, 2: 1000})):
            gw.cmd('clear stats')
            o = gw.cmd('gen start %s' % name)
            check('gen start %s' % name, 'started: stream %s' % name in o, o)
            o = gw.cmd('gen wait 60000', timeout=70)
            check('gen wait (%s) ends' % name, 'error' not in o, o)
            js, raw = servers_json(gw)
            rows = js
            got = {r['instance_id']: r['bypass'] for r in rows}
            by_id[name] = got
            check('%s: each packet processed by the server its id names '
                  '%s' % (name, want), got == want, raw)
            check('%s: nothing re-steered or unowned' % name,
                  all(r['resteer'] == 0 for r in rows), raw)
        st = gen_stats(gw)
        for name, n in (('gtpu', 3000), ('sctp', 3000)):
            s = stream(st, name)
            check('%s: %d sent, %d back, 0 lost' % (name, s['tx'], s['rx']),
                  s['tx'] == n and s['rx'] == n and s['lost'] == 0, s)

        # 2. every stream at once.
        o = gw.cmd('clear gen stats')
        check('clear gen stats', 'cleared' in o, o)
        st = gen_stats(gw)
        check('counters zero after clear',
              all(s['tx'] == 0 and s['rx'] == 0 for s in st['streams']), st)
        gw.cmd('clear stats')
        o = gw.cmd('runtime on')
        check('runtime on', 'runtime profile on' in o, o)
        o = gw.cmd('gen start')
        check('gen start (all)', 'started: 6 stream(s)' in o, o)
        o = gw.cmd('gen wait 90000', timeout=100)
        check('gen wait ends', 'error' not in o, o)
        st = gen_stats(gw)
        counts = {'udp4': 12000, 'udp6': 4000, 'tcp4': 4000, 'gtpu': 3000,
                  'sctp': 3000, 'esp-in': 4000}
        for s in st['streams']:
            n = counts[s['name']]
            check('%-6s %5d sent, %5d back, 0 lost, 0 late' %
                  (s['name'], s['tx'], s['rx']),
                  s['tx'] == n and s['rx'] == n and s['lost'] == 0 and
                  s['late'] == 0 and s['tx_drops'] == 0 and
                  s['enc_drops'] == 0 and s['wrong_port'] == 0, s)
            lat = s['lat_ns']
            check('%-6s latency measured on every packet' % s['name'],
                  lat['count'] == n and 0 < lat['min'] <= lat['p50'] <=
                  lat['p99'] <= lat['p999'] <= lat['max'], lat)
            print('  %-6s latency us: p50 %.1f  p99 %.1f  p999 %.1f  '
                  'max %.1f; build %.0f cycles/packet; %.0f pps' %
                  (s['name'], lat['p50'] / 1e3, lat['p99'] / 1e3,
                   lat['p999'] / 1e3, lat['max'] / 1e3,
                   s['build_cycles_per_pkt'], s['tx_pps']))
        check('no frame without a stamp', st['nostamp'] == 0, st)
        js, raw = servers_json(gw)
        rows = js
        esp = {r['instance_id']: r['esp_in'] for r in rows}
        check('ESP decrypted by each SPI\'s server (2000 + 2000)',
              esp == {1: 2000, 2: 2000}, raw)
        # the runtime profile saw the same traffic, stage by stage
        rt = runtime_json(gw)
        ws = rt['workers']
        lc = {x['worker']: x['rx'] for x in
              json.loads(re.search(r'^\[.*?^\]$', gw.cmd('show lcores json'),
                                   re.M | re.S).group(0))
              if x['role'] == 'worker'}
        st_pk = lambda w, n: w['stages'].get(n, {}).get('packets', 0)  # noqa
        rx_rt = sum(st_pk(w, 'rx') for w in ws)
        # (the rest came in on the control lcore's queue, handed over)
        check('runtime: the workers\' rx stage took what their rx '
              'counters say (%d of %d; 20 spared for ARP/ND between '
              '\'clear stats\' and \'runtime on\')' %
              (rx_rt, sum(lc.values())),
              0 < rx_rt <= sum(lc.values()) <= rx_rt + 20, rt)
        check('runtime: each worker classified what it received, '
              'decrypted the 4000 ESP packets, cycles in every stage',
              all(st_pk(w, 'classify') == st_pk(w, 'rx') for w in ws) and
              sum(st_pk(w, 'esp-decrypt') for w in ws) == 4000 and
              all(x['cycles'] > 0 for w in ws
                  for x in w['stages'].values()) and rt['on'], rt)
        o = gw.cmd('show runtime')
        print(o)
        check('show runtime: a table per worker with the ESP stages',
              o.count('worker ') == 2 and 'esp-decrypt' in o and
              'classify' in o and 'total' in o, o)
        gw.cmd('runtime off')
        gw.cmd('clear runtime')
        rt = runtime_json(gw)
        check('runtime off + clear runtime: off, every figure 0',
              not rt['on'] and all(
                  x.get('packets', 0) == 0 and x['cycles'] == 0
                  for w in rt['workers'] for x in w['stages'].values()),
              rt)
        o = gw.cmd('show gen stats')
        print(o)
        check('show gen stats has a row per stream',
              all(re.search(r'^%s\s+' % re.escape(n), o, re.M)
                  for n in counts), o)

        # 3. the rate limit: never above the asked rate.
        gw.cmd('clear gen stats')
        o = gw.cmd('gen rate 500')
        check('gen rate 500', '500 pps' in o, o)
        gw.cmd('gen start udp6')
        gw.cmd('gen wait 60000', timeout=70)
        s = stream(gen_stats(gw), 'udp6')
        print('  gen rate 500: measured %.0f pps' % s['tx_pps'])
        check('udp6 at gen rate 500: %.0f pps (<= 500 + 5%%)' % s['tx_pps'],
              s['tx'] == 4000 and 0 < s['tx_pps'] <= 525, s)

        o = gw.cmd('gen wait 100')
        check('gen wait when idle returns at once', 'error' not in o, o)
        o = gw.cmd('help gen')
        check('help gen lists the commands',
              'gen start' in o and 'show gen stats' in o, o)
        o = gw.cmd('gen start nosuch')
        check('gen start: unknown stream named with the streams',
              'error' in o and 'nosuch' in o and 'udp4' in o, o)
        o = gw.cmd('show config')
        check('no key in any output (%d keys)' % len(keys),
              keys and not any(k in gw.out for k in keys) and
              not any(k[:16] in gw.out for k in keys))
    finally:
        if gw is not None:
            rc, err = gw.stop()
            check('clean exit, no sanitizer report',
                  rc == 0 and 'Sanitizer' not in err, err[-2000:])
            check('no key in the log', not any(k in err for k in keys))
        loop.close()
    second_process(binary)
    failed = results.count(False)
    print('%d passed, %d failed' % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
