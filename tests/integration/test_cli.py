#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""The program's command line: --cmdline-file (echo, output, exit status),
SIGTERM shutdown, and configuration errors reported with file and line.
Usage: test_cli.py PATH/TO/shardsec
"""
import json
import os
import pty
import random
import re
import shutil
import select
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sstopo  # noqa: E402

results = []


def check(name, ok, detail=''):
    results.append(bool(ok))
    print('%s: %s%s' % ('PASS' if ok else 'FAIL', name,
                        (' (' + detail + ')') if detail and not ok else ''))
    sys.stdout.flush()


# Every temporary folder of the run, removed at the end.
TMPDIRS = []


def run(binary, topo, args, cfg_text=None, timeout=60):
    d = tempfile.mkdtemp(prefix='shardsec-cli-')
    TMPDIRS.append(d)
    cmd = [binary] + sstopo.eal_args(topo.tag) + ['--']
    if cfg_text is not None:
        cfg = os.path.join(d, 'gw.cfg')
        with open(cfg, 'w') as f:
            f.write(cfg_text)
        cmd += ['-c', cfg]
    return subprocess.run(cmd + args, capture_output=True, text=True,
                          errors='replace', timeout=timeout,
                          stdin=subprocess.DEVNULL), d


def script(d, name, lines):
    p = os.path.join(d, name)
    with open(p, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return p


IPSEC = '''ipsec = {
  replay_window = 64;
  esn = false;
  tunnels = ( {
    name = "remote"; local = "198.51.100.1"; peer = "198.51.100.2";
    mode = "tunnel"; udp_encap = false;
    local_ts = [ "192.0.2.0/24" ]; remote_ts = [ "198.18.0.0/24" ];
    sas = ( %s );
  } );
  policies = ( { name = "to-remote"; src = "192.0.2.0/24";
                 dst = "198.18.0.0/24"; action = "protect";
                 tunnel = "remote"; } );
};
ike = {
  peers = ( {
    name = "sw";
    local_addr = "198.51.100.1";
    remote_addr = "198.51.100.2";
    local_id = "gw.example";
    remote_id = "sw.example";
    psk = "%s";
    ike_proposals = [ "aes256gcm16-prfsha256-ecp256" ];
    children = ( {
      name = "net";
      local_ts = [ "192.0.2.0/24" ];
      remote_ts = [ "198.19.0.0/24" ];
      esp_proposals = [ "aes128gcm16-esn-noesn" ];
      per_server = true;
      start_action = "none";
    } );
  } );
};
'''
# inbound SPIs carry the server's instance-id in their top 4 bits
SAS = [(1, 'in', 0x10000111), (1, 'out', 0x0a000001),
       (2, 'in', 0x20000121), (2, 'out', 0x0a000002)]
PSK = 'cli-test-psk-never-shown'

# Every command once, each expected to succeed.
GOOD = [
    '# comment lines are skipped', 'help', 'help ports', 'help l3',
    'help ipsec', 'help ike', 'help gen', 'help system',
    'show port info 0', 'show port info outside', 'show port info 1 json',
    'show port stats all', 'show port stats 1', 'show port stats all json',
    'show port stats inside json', 'clear port stats 0',
    'clear port stats all',
    'show config', 'show lcores', 'show lcores json',
    'show neigh', 'show neigh json', 'show neigh 198.51.100.9',
    'show neigh 198.51.100.9 json',
    'show route', 'show route json', 'show route 203.0.113.77',
    'show route 203.0.113.77 json', 'show route 2001:db8:2::99',
    'show stats', 'show stats json',
    'show sa', 'show sa json', 'show sa 0x10000111', 'show sa 20000121',
    'show sa 0x0a000001 json',
    'show servers', 'show servers json', 'show servers 2',
    'show servers 1 json', 'show spd', 'show spd json', 'show hold',
    'show hold json', 'show macsec', 'show macsec json', 'show mka',
    'show mka json', 'help macsec',
    'show ports json',
    'show ike sa', 'show ike sa json', 'show ike peers',
    'show ike peers json', 'show ike stats', 'show ike stats json',
    'ike initiate sw', 'ike terminate sw',
    'sa del in 0x20000121', 'sa del out 0a000002',
    'server add 3 1', 'show servers 3 json', 'server del 3',
    'show log-levels', 'set log-level shardsec.ike debug',
    'set log-level shardsec.* warning', 'show log-levels json',
    'runtime on', 'show runtime', 'show runtime json', 'clear runtime',
    'runtime off', 'help runtime',
    'sleep 100', 'clear stats',
]

# One bad argument per command, with the exact message expected.
BAD = [
    ('help nosuch', "error: help: no group nosuch (groups: ports,l3,ipsec,"
     "servers,hold,macsec,lb,ike,log,gen,runtime,system)"),
    ('mka rekey 7', 'error: mka rekey: no MACsec port 7 (MACsec ports: '
     'none)'),
    ('mka renew-cak outside', 'error: mka renew-cak: no MACsec port '
     'outside (MACsec ports: none)'),
    ('set log-level nosuch debug', "error: set log-level: no log type "
     "matches 'nosuch' (try 'show log-levels')"),
    ('set log-level shardsec.ike loud', 'error: set log-level shardsec.ike: '
     'no level '
     'loud (levels: emerg,alert,crit,err,warning,notice,info,debug)'),
    ('server add 1 2', 'error: server add: id 1 is in use (server 0 on '
     'lcore 1)'),
    ('gen start', "error: gen start: no traffic generator (the "
     "configuration has no 'gen' section)"),
    ('show gen stats json', "error: show gen stats: no traffic generator "
     "(the configuration has no 'gen' section)"),
    ('server del 7', 'error: server del: no server with id 7 (ids: 1,2)'),
    ('server del x7', "error: server del: malformed instance-id 'x7'"),
    ('show port info 7', 'error: show port info: no port 7 (ports: 0,1,'
     'inside,outside)'),
    ('show port info 7 json', 'error: show port info: no port 7 (ports: '
     '0,1,inside,outside)'),
    ('show port stats 9', 'error: show port stats: no port 9 (ports: all,'
     '0,1,inside,outside)'),
    ('show port stats dmz json', 'error: show port stats: no port dmz '
     '(ports: all,0,1,inside,outside)'),
    ('clear port stats 2', 'error: clear port stats: no port 2 (ports: '
     'all,0,1,inside,outside)'),
    ('show neigh 10.9.9.9', 'error: show neigh: no neighbour 10.9.9.9 '
     '(neighbours: 198.51.100.9)'),
    ('show neigh 10.9.9', "error: show neigh: malformed address '10.9.9' "
     "(IPv4 or IPv6, e.g. 192.0.2.1 or 2001:db8::1)"),
    ('show neigh 2001:db8::zz json', "error: show neigh: malformed "
     "address '2001:db8::zz' (IPv4 or IPv6, e.g. 192.0.2.1 or "
     "2001:db8::1)"),
    ('show route 300.1.1.1', "error: show route: malformed address "
     "'300.1.1.1' (IPv4 or IPv6, e.g. 192.0.2.1 or 2001:db8::1)"),
    ('show route 8.8.8.8', 'error: show route: no route to 8.8.8.8'),
    ('show route 8.8.8.8 json', 'error: show route: no route to 8.8.8.8'),
    ('show sa 0xdead', 'error: show sa: no SA with SPI 0x0000dead (SPIs: '
     '0x10000111,0x0a000001,0x20000121,0x0a000002)'),
    ('show sa xyz', "error: show sa: malformed SPI 'xyz' (hex, e.g. "
     "0x10000101)"),
    ('show sa 0xdead json', 'error: show sa: no SA with SPI 0x0000dead '
     '(SPIs: 0x10000111,0x0a000001,0x20000121,0x0a000002)'),
    ('sa del in 0x0a000001', 'error: sa del in: no in SA with SPI '
     '0x0a000001 (SPIs: 0x10000111,0x20000121)'),
    ('sa del out 0x10000111', 'error: sa del out: no out SA with SPI '
     '0x10000111 (SPIs: 0x0a000001,0x0a000002)'),
    ('sa del out 0x1g', "error: sa del out: malformed SPI '0x1g' (hex, "
     "e.g. 0x10000101)"),
    ('sa del both 0x10000111', "error: sa del: unexpected 'both' "
     "(expected: in|out)"),
    ('sa del in', 'error: sa del in: missing argument (expected: '
     '0x10000111|0x20000121)'),
    ('show ike peer', "error: show ike: unexpected 'peer' (expected: "
     "sa|peers|stats)"),
    ('ike initiate nobody', 'error: ike initiate: no IKE peer nobody '
     '(peers: sw)'),
    ('ike terminate sw', 'error: peer sw: no IKE SA'),
    ('ike rekey nobody', 'error: ike rekey: no IKE peer nobody (peers: '
     'sw)'),
    ('ike rekey sw nochild', 'error: ike rekey sw: no child nochild '
     '(children: net)'),
    ('ike rekey sw net', 'error: peer sw: cannot rekey: no established '
     'IKE SA'),
    ('sleep soon', "error: sleep: bad duration 'soon' (milliseconds, "
     "0..3600000)"),
    ('show servers 3', 'error: show servers: no server 3 (servers: 1,2)'),
    ('show servers 3 json', 'error: show servers: no server 3 (servers: '
     '1,2)'),
    ('show stats now', "error: show stats: unexpected 'now' (expected: "
     "end of line|json)"),
    ('clear stats all', "error: clear stats: unexpected 'all' (expected: "
     "end of line)"),
    ('show config json', "error: show config: unexpected 'json' "
     "(expected: end of line)"),
    ('quit now', "error: quit: unexpected 'now' (expected: end of line)"),
    ('frobnicate', "error: unknown command (try 'help')"),
]


# Words of every kind for mutated command lines: numbers past every
# limit, addresses, names, format directives, quotes, long words.
WORDS = ['0', '1', '-1', '7', '65535', '65536', '4294967295', '4294967296',
         '18446744073709551616', '0x', '0x0', '0xffffffff', '0x1ffffffff',
         '-0x1', '1e9', 'json', 'all', 'inside', 'outside', 'in', 'out',
         'sw', 'net', 'sw/net', '192.0.2.1', '::', '2001:db8::1',
         '255.255.255.255', '1.2.3', '1.2.3.4/33', '%s%s%s%n', '%x%x',
         '\\', '"', "'", '#', ';', '*', '?', '\t', 'A' * 200, '9' * 40,
         '\u00e9', '\x01', '\x7f', 'shardsec.*', 'debug', 'none', '']


def mutated(rng, n):
    """n command lines made from GOOD's and BAD's by replacing, dropping,
    inserting or appending words, or cutting the line short (never quit
    or sleep: the script must run to its end)."""
    base = [c for c in GOOD + [c for c, _ in BAD] if not c.startswith('#')]
    out = []
    while len(out) < n:
        w = rng.choice(base).split()
        op = rng.randrange(5)
        if op == 0:
            w[rng.randrange(len(w))] = rng.choice(WORDS)
        elif op == 1 and len(w) > 1:
            del w[rng.randrange(len(w))]
        elif op == 2:
            w.insert(rng.randrange(len(w) + 1), rng.choice(WORDS))
        elif op == 3:
            w = w[:rng.randrange(1, len(w) + 1)]
        else:
            w += [rng.choice(WORDS) for _ in range(rng.randrange(1, 4))]
        line = ' '.join(w)
        if not line.strip() or line.split()[0] in ('quit', 'sleep') or \
                line.lstrip().startswith('#'):
            continue
        out.append(line)
    return out


def fuzz_checks(binary, topo, cfg, d):
    """Operator input at random through a script: the gateway answers
    every line, with a reason for each refusal, and stays up."""
    # longer or other runs: SS_CLI_FUZZ_LINES=20000 SS_CLI_FUZZ_SEED=7
    rng = random.Random(int(os.environ.get('SS_CLI_FUZZ_SEED', '20261204')))
    lines = mutated(rng, int(os.environ.get('SS_CLI_FUZZ_LINES', '1500')))
    # a line at the limit (1021 characters) runs; longer ones are refused
    # whole, their tail never run as a command of its own
    lines += ['show sa ' + 'A' * 1013, 'A' * 1022 + 'show route 192.0.2.77',
              'B' * 3000, 'show port stats all']
    path = script(d, 'fuzz.cmd', lines)
    r, _ = run(binary, topo, ['--cmdline-file', path], cfg, timeout=300)
    out = r.stdout
    check('mutated commands: exits 1 (some failed), not killed',
          r.returncode == 1, 'rc %d %s' % (r.returncode, r.stderr[-800:]))
    check('mutated commands: no sanitizer report',
          not sanitizer_report(r.stderr), r.stderr[-1500:])
    b = blocks(out)
    silent = [c for c, txt in b.items() if 'command failed' in txt and
              not any(ln.startswith('error: ') for ln in txt.splitlines())]
    check('mutated commands: every refusal says why', not silent,
          repr(silent[:3]))
    echoed = [ln for ln in out.splitlines() if ln.startswith('shardsec> ')]
    want = [ln for ln in lines if ln and ln[0] != '#' and len(ln) <= 1021]
    check('mutated commands: each line run once, in order (%d)' %
          len(want), [ln[len('shardsec> '):] for ln in echoed] == want,
          '%d echoed' % len(echoed))
    check('mutated commands: over-long lines refused whole',
          'fuzz.cmd:%d: line longer than 1021 characters: not run' %
          (len(lines) - 2) in out and 'fuzz.cmd:%d: line longer' %
          (len(lines) - 1) in out and not any(
              ln.endswith('route 192.0.2.77') for ln in echoed),
          out[-800:])
    check('mutated commands: a line at the limit runs',
          'error: show sa: SPI too long (1013 characters, at most 127)' in
          b.get('show sa ' + 'A' * 1013, ''))
    check('mutated commands: still answering at the end',
          'NIC statistics for port 1' in b.get('show port stats all', ''))
    check('mutated commands: no key or PSK printed',
          '11' * 20 not in out and PSK not in out and
          '11' * 20 not in r.stderr and PSK not in r.stderr)


def gw_config(topo):
    sas = ', '.join('{ server = %d; dir = "%s"; spi = 0x%08x; algo = '
                    '"aes-gcm-128"; key = "%s"; }' % (s, d, spi, '11' * 20)
                    for s, d, spi in SAS)
    extra = IPSEC % (sas, PSK) + \
        'neighbours = ( { ip = "198.51.100.9"; mac = "02:00:00:00:00:09";' \
        ' port = "outside"; } );\n'
    return topo.config(extra=extra)


def blocks(out):
    """The output of each echoed command, by command line."""
    res, cur = {}, None
    for line in out.splitlines():
        if line.startswith('shardsec> '):
            cur = line[len('shardsec> '):]
            res[cur] = []
        elif cur is not None:
            res[cur].append(line)
    return {k: '\n'.join(v) for k, v in res.items()}


class Pty:
    """shardsec -i on a pseudo-terminal: the shell in raw mode, with rdline
    echo, completion and history, as a person at a terminal sees it."""

    def __init__(self, binary, topo, cfg_path, logdir):
        master, slave = pty.openpty()
        self.log = open(os.path.join(logdir, 'pty-stderr.log'), 'w+')
        self.p = subprocess.Popen([binary] + sstopo.eal_args(topo.tag) +
                                  ['--', '-c', cfg_path, '-i'], stdin=slave,
                                  stdout=slave, stderr=self.log,
                                  close_fds=True)
        os.close(slave)
        self.fd = master
        self.raw = ''

    def text(self, since=0):
        """What the terminal shows from 'since', escapes removed."""
        t = re.sub(r'\x1b\[[0-9;]*[A-Za-z]|\x1b[78]', '', self.raw[since:])
        return t.replace('\r', '')

    def wait(self, pattern, since=0, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if re.search(pattern, self.text(since)):
                return True
            r, _, _ = select.select([self.fd], [], [], 0.2)
            if r:
                try:
                    self.raw += os.read(self.fd, 65536).decode(
                        errors='replace')
                except OSError:
                    break
        return bool(re.search(pattern, self.text(since)))

    def send(self, data):
        mark = len(self.raw)
        os.write(self.fd, data)
        return mark

    def close(self):
        try:
            os.write(self.fd, b'quit\r')
            self.p.wait(20)
        except (OSError, subprocess.TimeoutExpired):
            self.p.kill()
            self.p.wait()
        os.close(self.fd)


def pty_checks(binary, topo, cfg, d):
    cfg_path = os.path.join(d, 'pty.cfg')
    with open(cfg_path, 'w') as f:
        f.write(cfg)
    t = Pty(binary, topo, cfg_path, d)
    try:
        check('pty: prompt', t.wait(r'shardsec> $', timeout=60),
              t.text()[-800:])
        # TAB completes a port name from the live port list
        m = t.send(b'show port info ou\t')
        check('pty: TAB completes a port name',
              t.wait(r'show port info outside $', m), repr(t.text(m)))
        m = t.send(b'\r')
        check('pty: completed line runs', t.wait(r'Name: outside', m),
              repr(t.text(m)))
        t.wait(r'shardsec> $', m)
        # keywords, then an SPI from the live SA table
        m = t.send(b'sh\tsa\t0x1\t')
        check('pty: TAB completes keywords and an SPI',
              t.wait(r'show sa 0x10000111 $', m), repr(t.text(m)))
        m = t.send(b'\r')
        check('pty: SPI line runs', t.wait(r'\n  replay +0', m),
              repr(t.text(m)))
        t.wait(r'shardsec> $', m)
        # only inbound SPIs are offered after "sa del in"
        m = t.send(b'sa del in 0x\t\t')
        check('pty: double TAB lists the inbound SPIs',
              t.wait(r'0x20000121', m) and '0x0a000001' not in t.text(m),
              repr(t.text(m)))
        t.send(b'20000121\r')
        check('pty: sa del ran', t.wait(r'deleted in SA 0x20000121', m),
              repr(t.text(m)))
        t.wait(r'shardsec> $', m)
        # history: up arrow three times brings back "show port info outside"
        m = t.send(b'\x1b[A\x1b[A\x1b[A')
        check('pty: up arrow recalls an earlier line',
              t.wait(r'shardsec> show port info outside *$', m),
              repr(t.text(m)))
        m = t.send(b'\r')
        check('pty: recalled line runs', t.wait(r'Name: outside', m),
              repr(t.text(m)))
        t.wait(r'shardsec> $', m)
        # a mistyped word: the precise error on the terminal too
        m = t.send(b'show port info 7\r')
        check('pty: error shown', t.wait(r'error: show port info: no port 7',
                                         m), repr(t.text(m)))
    finally:
        t.close()
    t.log.seek(0)
    check('pty: no sanitizer report', not sanitizer_report(t.log.read()))


def sanitizer_report(err):
    return 'AddressSanitizer' in err or 'LeakSanitizer' in err or \
        'runtime error:' in err


def main():
    binary = sys.argv[1]
    topo = sstopo.Topology()
    d = tempfile.mkdtemp(prefix='shardsec-cli-')
    TMPDIRS.append(d)
    try:
        topo.up()
        cfg = gw_config(topo)
        good = script(d, 'good.cmd', GOOD)
        r, _ = run(binary, topo, ['--cmdline-file', good], cfg)
        out = r.stdout
        check('good script exits 0', r.returncode == 0,
              'rc %d %s %s' % (r.returncode, out[-1500:], r.stderr[-800:]))
        check('no command failed', 'error:' not in out and
              'command failed' not in out,
              '\n'.join(l for l in out.splitlines() if 'error' in l))
        check('good script: no sanitizer report',
              not sanitizer_report(r.stderr), r.stderr[-1500:])
        b = blocks(out)
        for c in GOOD[1:]:
            check('command echoed: %s' % c, c in b)
        for c in [c for c in GOOD if c.endswith(' json')]:
            txt = b.get(c, '')
            try:
                json.loads(txt)
                ok = True
            except ValueError:
                ok = False
            check('valid JSON: %s' % c, ok, txt[-600:])
        js = lambda c: json.loads(b.get(c, 'null'))  # noqa: E731
        check('help lists groups', all(('\n%s:' % g) in '\n' + b['help']
              for g in ('ports', 'l3', 'ipsec', 'ike', 'system')))
        check('help GROUP: only that group', 'show route' in b['help l3']
              and 'show sa' not in b['help l3'])
        check('help lines have descriptions', 'longest-prefix match' in
              b['help l3'])
        check('show config prints ports', 'inside' in b['show config'] and
              'net_af_packet_' in b['show config'])
        check('show config never prints keys or PSK', '11' * 20 not in out
              and PSK not in out)
        check('port info by name', 'Name: outside' in
              b['show port info outside'])
        check('port info json', js('show port info 1 json')['name'] ==
              'outside')
        check('port stats json: one port', [p['name'] for p in
              js('show port stats inside json')] == ['inside'])
        check('port stats json: all ports', len(js('show port stats all '
              'json')) == 2)
        check('lcores json: control + workers', [x['role'] for x in
              js('show lcores json')] == ['control', 'worker', 'worker'])
        check('route table printed', '203.0.113.0/24' in b['show route'])
        check('route lookup: longest prefix',
              '203.0.113.0/24' in b['show route 203.0.113.77'] and
              '198.51.100.0/24' not in b['show route 203.0.113.77'])
        check('route lookup json', js('show route 203.0.113.77 json') ==
              [{'destination': '203.0.113.0/24', 'via': '198.51.100.2',
                'port': 'outside', 'type': 'static'}],
              b.get('show route 203.0.113.77 json'))
        check('route lookup v6', '2001:db8:2::/64' in
              b['show route 2001:db8:2::99'])
        check('neigh one', '198.51.100.9' in b['show neigh 198.51.100.9']
              and '02:00:00:00:00:09' in b['show neigh 198.51.100.9'])
        check('neigh json', js('show neigh 198.51.100.9 json')[0]['mac'] ==
              '02:00:00:00:00:09')
        check('stats json sections', set(js('show stats json')) >=
              {'workers', 'control', 'esp', 'steering', 'drops'})
        check('sa json: 4 SAs', len(js('show sa json')) == 4)
        check('sa SPI without 0x', '0x20000121' in b['show sa 20000121'])
        check('sa one json', [x['spi'] for x in
              js('show sa 0x0a000001 json')] == ['0x0a000001'])
        check('one server', [x['instance_id'] for x in
              js('show servers 1 json')] == [1] and
              len(b['show servers 2'].splitlines()) == 2)
        check('spd json', js('show spd json')['rules'][0]['name'] ==
              'to-remote')
        check('ike peers json', js('show ike peers json')[0]['peer'] == 'sw')
        lv = {x['type']: x['level'] for x in js('show log-levels json')}
        check('log levels: one type per library, set by glob',
              all(lv.get('shardsec.' + t) == 'warning' for t in
                  ('net', 'config', 'esp', 'ike', 'steer', 'sa', 'spd',
                   'gen', 'macsec', 'mka', 'swnic', 'swnic_sec',
                   'inline')) and
              'RTE_LOG_DEFAULT_LOGTYPE' not in lv and
              '(13 type(s)) set to warning' in
              b['set log-level shardsec.* warning'], str(lv))
        check('server add/del from a script', 'server id 3 added on lcore '
              '1' in b['server add 3 1'] and [x['instance_id'] for x in
              js('show servers 3 json')] == [3] and 'server id 3 removed'
              in b['server del 3'])
        check('runtime json: on, one entry per worker',
              js('show runtime json')['on'] and
              len(js('show runtime json')['workers']) == 2,
              b.get('show runtime json'))
        check('help runtime', 'show runtime [json]' in b['help runtime'])
        check('sa del by direction', 'deleted in SA 0x20000121' in
              b['sa del in 0x20000121'] and 'deleted out SA 0x0a000002'
              in b['sa del out 0a000002'])

        bad = script(d, 'bad.cmd', [l for l, _ in BAD] +
                     ['show port stats all', 'quit'])
        r, _ = run(binary, topo, ['--cmdline-file', bad], cfg)
        check('bad script ending in quit exits 1', r.returncode == 1,
              'rc %d' % r.returncode)
        check('bad script: no sanitizer report',
              not sanitizer_report(r.stderr), r.stderr[-1500:])
        b = blocks(r.stdout)
        for n, (line, msg) in enumerate(BAD):
            got = b.get(line, '')
            check('error message: %s' % line, got.splitlines()[:1] ==
                  [msg] and 'bad.cmd:%d: command failed' % (n + 1) in got,
                  repr(got))
        check('later commands still run', 'NIC statistics for port 1'
              in b.get('show port stats all', ''))

        pty_checks(binary, topo, cfg, d)
        fuzz_checks(binary, topo, cfg, d)

        # configuration errors: file, line, path, reason; exit 1
        broken = cfg.replace('instance_bits = 4;', 'instance_bits = 4;\n'
                             'mtux = 3;')
        r, dd = run(binary, topo, [], broken)
        check('unknown setting refused with file:line',
              r.returncode == 1 and "gw.cfg:3: unknown setting 'mtux'"
              in r.stderr, r.stderr[-600:])
        r, dd = run(binary, topo, [], cfg.replace('{ id = 2; lcore = 2; }',
                                                  '{ id = 2; lcore = 7; }'))
        check('server on a disabled lcore refused',
              r.returncode == 1 and 'lcore 7 is not enabled' in r.stderr,
              r.stderr[-600:])
        # a device that cannot be brought up: the port's line in the file
        nodev = re.sub(r'device = "net_af_packet_[^"]*"',
                       'device = "net_nosuch0"', cfg, count=1)
        at = [n + 1 for n, ln in enumerate(nodev.splitlines())
              if 'net_nosuch0' in ln]
        r, dd = run(binary, topo, [], nodev)
        want = ("gw.cfg:%d: port inside: cannot probe device 'net_nosuch0'"
                % at[0]) if at else '?'
        check('unusable device refused with the port\'s file:line',
              r.returncode == 1 and want in r.stdout + r.stderr,
              '%s | %s' % (want, (r.stdout + r.stderr)[-600:]))

        # SIGTERM: ports stopped, clean exit
        p = subprocess.Popen([binary] + sstopo.eal_args(topo.tag) +
                             ['--', '-c', os.path.join(d, 'sig.cfg')],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) if open(os.path.join(d, 'sig.cfg'),
                                                'w').write(cfg) else None
        time.sleep(4)
        p.send_signal(signal.SIGTERM)
        try:
            out, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        check('SIGTERM: clean exit 0', p.returncode == 0 and
              'shardsec: stopped' in out, 'rc %s %s' % (p.returncode,
                                                         err[-600:]))
    finally:
        topo.close()
        for t in TMPDIRS:
            shutil.rmtree(t, ignore_errors=True)
    failed = results.count(False)
    print('%d passed, %d failed' % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
