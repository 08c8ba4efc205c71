#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""IKEv2 in the real gateway, against a real strongSwan 5.9.8.

inside host 192.0.2.2 -- shardsec (2 servers, ids 1 and 2) -- outside
namespace: charon (kernel-libipsec) at 198.51.100.2 protecting
198.18.1.0/24 (198.18.1.1 on its lo). shardsec's child: 192.0.2.0/24 <->
198.18.1.0/24, one Child SA pair per server.

Cases (one gateway, charon restarted between them):
1. wrong PSK: AUTHENTICATION_FAILED, a clear log line, nothing installed
   (no SA, no policy);
2. shardsec initiates (`ike initiate sw`): strongSwan lists 1 IKE SA and
   2 Child SA pairs; `show sa` has inbound SPIs with ids 1 and 2 (top 4
   bits) matching strongSwan's outbound SPIs; ping and a TCP transfer
   (SHA-256 checked) from the inside host to 198.18.1.1 through the
   tunnel, strongSwan doing ESP in UDP 4500; the time from `ike initiate`
   to all per-server pairs installed is printed;
3. strongSwan initiates (shardsec responds), after `ike terminate`;
   traffic flows again over the new pair.
Usage: test_ike_gw.py PATH/TO/shardsec
Needs root. Prints "N passed, N failed"; exit status 1 on any failure.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sstopo  # noqa: E402
from sstopo import sh  # noqa: E402

PSK = 'gw-interop-secret-0815'
SW_IP = '198.51.100.2'
GW_IP = '198.51.100.1'
SW_NET = '198.18.1.0/24'
SW_HOST = '198.18.1.1'
GW_NET = '192.0.2.0/24'
PLUGINS = ('random nonce openssl aes sha1 sha2 hmac gcm pem pkcs1 x509 '
           'kdf kernel-libipsec kernel-netlink socket-default vici')
results = []


def check(name, ok, detail=''):
    results.append(bool(ok))
    print('%s: %s%s' % ('PASS' if ok else 'FAIL', name,
                        (' (' + str(detail)[-2500:] + ')')
                        if detail and not ok else ''))
    sys.stdout.flush()


def ike_section(psk=PSK, auth=None, peer_extra='', start='none', tries=4,
                ike_extra=''):
    """The gateway's ike section for the peer 'sw' (strongSwan): auth
    replaces the psk line (certificates), peer_extra adds peer settings,
    ike_extra settings of the section itself."""
    if auth is None:
        auth = 'psk = "%s";' % psk
    return '''ike = {
  retransmit_ms = 500;
  retransmit_tries = %d;
  %s
  peers = ( {
    name = "sw";
    local_addr = "%s";
    remote_addr = "%s";
    local_id = "gw.example";
    remote_id = "sw.example";
    %s
    ike_proposals = [ "aes256gcm16-prfsha256-ecp256" ];
    %s
    children = ( {
      name = "net";
      local_ts = [ "%s" ];
      remote_ts = [ "%s" ];
      esp_proposals = [ "aes128gcm16-esn-noesn" ];
      per_server = true;
      start_action = "%s";
    } );
  } );
};
''' % (tries, ike_extra, GW_IP, SW_IP, auth, peer_extra, GW_NET, SW_NET,
       start)


class Charon:
    """charon in the outside namespace, with its own /run and vici."""

    def __init__(self, ns, tmp):
        self.ns = ns
        self.tmp = tmp
        self.p = None
        self.sock = os.path.join(tmp, 'charon.vici')
        self.logf = os.path.join(tmp, 'charon.log')

    def uri(self):
        return ['--uri', 'unix://' + self.sock]

    @staticmethod
    def connection(local, remote, secrets=()):
        """swanctl.conf lines of the connection 'gw' to the gateway;
        local and remote: the lines of the auth rounds."""
        return ([
            'connections {', 'gw {',
            'local_addrs = ' + SW_IP, 'remote_addrs = ' + GW_IP,
            'version = 2', 'proposals = aes256gcm16-prfsha256-ecp256',
            'dpd_delay = 0s', 'rekey_time = 4h',
            'local {'] + list(local) + ['}', 'remote {'] + list(remote) + [
            '}', 'children {', 'net {',
            'local_ts = ' + SW_NET, 'remote_ts = ' + GW_NET,
            'esp_proposals = aes128gcm16',
            'start_action = none',
            '}', '}', '}', '}'] + list(secrets))

    def start(self, psk):
        lines = self.connection(
            ['auth = psk', 'id = sw.example'],
            ['auth = psk', 'id = gw.example'],
            ['secrets {', 'ike-1 {', 'id-1 = gw.example',
             'id-2 = sw.example', 'secret = "%s"' % psk, '}', '}'])
        swc = os.path.join(self.tmp, 'swanctl.conf')
        with open(swc, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        self.launch()
        sh(['swanctl', '--load-all', '--file', swc] + self.uri())

    def launch(self, plugins=PLUGINS):
        """charon with its own strongswan.conf, /run and vici socket."""
        conf = os.path.join(self.tmp, 'strongswan.conf')
        with open(conf, 'w') as f:
            f.write('charon {\n load = %s\n port = 500\n port_nat_t = 4500\n'
                    ' retransmit_timeout = 1.0\n retransmit_tries = 3\n'
                    ' install_virtual_ip = no\n'
                    ' plugins {\n  vici {\n   socket = unix://%s\n  }\n'
                    '  kernel-libipsec {\n   allow_peer_ts = yes\n  }\n }\n'
                    ' filelog {\n  log {\n   path = %s\n   default = 1\n'
                    '   ike = 2\n   cfg = 2\n   flush_line = yes\n  }\n }\n'
                    '}\n' % (plugins, self.sock, self.logf))
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        env = dict(os.environ, STRONGSWAN_CONF=conf)
        self.p = subprocess.Popen(
            ['ip', 'netns', 'exec', self.ns, 'unshare', '-m', 'sh', '-c',
             'mount -t tmpfs none /run && exec /usr/lib/ipsec/charon'],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        for _ in range(100):
            if os.path.exists(self.sock):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError('charon did not start')

    def stop(self):
        if self.p is not None and self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGTERM)
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait()
        self.p = None

    def list_sas(self):
        return sh(['swanctl', '--list-sas'] + self.uri(), check=False).stdout

    def log(self):
        try:
            with open(self.logf) as f:
                return f.read()
        except OSError:
            return ''


def sw_children(text):
    """[(in_spi, out_spi)] of strongSwan's INSTALLED Child SAs."""
    res = []
    state = spi_in = None
    for line in text.splitlines():
        m = re.match(r'^\s+\S+: #\d+, reqid \d+, (\w+),', line)
        if m:
            state = m.group(1)
            continue
        m = re.match(r'^\s+in\s+([0-9a-f]{8})', line)
        if m:
            spi_in = int(m.group(1), 16)
            continue
        m = re.match(r'^\s+out\s+([0-9a-f]{8})', line)
        if m and state == 'INSTALLED' and spi_in is not None:
            res.append((spi_in, int(m.group(1), 16)))
    return res


def gw_sas(gw, retiring=False):
    """{(spi, dir): id} from `show sa`: the SAs of live pairs or, with
    retiring, the inbound SAs of pairs a rekey replaced, kept a while
    (ike.delete_rekeyed_delay) for the packets the peer had sent."""
    out = gw.cmd('show sa')
    sas = {}
    for line in out.splitlines():
        m = re.search(r'spi=0x([0-9a-f]{8}) id=(\d+) server=(\d+) (in|out)'
                      r' (\S+)', line)
        if m and (' retiring ' in line) == retiring:
            sas[(int(m.group(1), 16), m.group(4))] = int(m.group(2))
    return sas, out


def ike_stat(gw, name):
    m = re.search(r'^\s+%s\s+(\d+)' % name, gw.cmd('show ike stats'), re.M)
    return int(m.group(1)) if m else -1


def gw_log(gw):
    """The gateway's log (rte_log goes to stderr)."""
    with open(os.path.join(gw.dir, 'stderr.log')) as f:
        return f.read()


def wait(pred, timeout, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


TCP_SERVER = r'''
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
print("ready", flush=True)
s.settimeout(60)
c, _ = s.accept(); c.settimeout(60)
n = int(sys.argv[3]); h = hashlib.sha256(); got = 0
while got < n:
    b = c.recv(65536)
    if not b:
        break
    h.update(b); got += len(b)
c.sendall(h.hexdigest().encode()); c.close()
print("got", got, flush=True)
'''

TCP_CLIENT = r'''
import hashlib, os, socket, sys, time
n = int(sys.argv[3]); data = os.urandom(n)
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
t = time.time(); c.sendall(data); c.shutdown(socket.SHUT_WR)
d = b""
while True:
    b = c.recv(256)
    if not b:
        break
    d += b
el = time.time() - t
ok = d.decode() == hashlib.sha256(data).hexdigest()
print("OK" if ok else "MISMATCH", n, "bytes in %.2f s" % el, flush=True)
'''


def traffic(topo, tag):
    """ping + TCP through the tunnel from the inside host."""
    r = sh(['ping', '-c', '3', '-i', '0.3', '-W', '2', SW_HOST],
           ns=topo.ns_in, check=False, timeout=30)
    r2 = sh(['ping', '-c', '5', '-i', '0.2', '-W', '2', SW_HOST],
            ns=topo.ns_in, check=False, timeout=30)
    check('%s: ping 192.0.2.2 -> %s through the tunnel (5/5 after warm-up)'
          % (tag, SW_HOST), r2.returncode == 0 and
          ' 0% packet loss' in r2.stdout, r.stdout + r2.stdout)
    n = 1 << 20
    port = 5001
    srv = subprocess.Popen(['ip', 'netns', 'exec', topo.ns_out,
                            '/usr/bin/python3', '-c', TCP_SERVER, SW_HOST,
                            str(port), str(n)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        srv.stdout.readline()
        c = sh(['/usr/bin/python3', '-c', TCP_CLIENT, SW_HOST, str(port),
                str(n)], ns=topo.ns_in, check=False, timeout=90)
        out, _ = srv.communicate(timeout=30)
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()
    check('%s: TCP 1 MiB through the tunnel, SHA-256 equal (%s)'
          % (tag, c.stdout.strip()), c.stdout.startswith('OK'),
          c.stdout + c.stderr + out)


def case_wrong_psk(gw, charon):
    charon.start('not-the-gateway-secret')
    t = gw.cmd('ike initiate sw')
    check('wrong PSK: ike initiate accepted', 'initiating' in t, t)
    ok = wait(lambda: ike_stat(gw, 'auth_failed') >= 1, 20)
    check('wrong PSK: auth_failed counted', ok, gw.cmd('show ike stats'))
    time.sleep(0.5)
    m = re.search(r'^.*AUTHENTICATION_FAILED.*$', gw_log(gw), re.M)
    check('wrong PSK: clear log line (%s)'
          % (m.group(0).strip() if m else None), m is not None,
          gw_log(gw)[-2000:])
    sa = gw.cmd('show sa')
    check('wrong PSK: no SA installed (show sa: no SAs)', 'no SAs' in sa, sa)
    spd = gw.cmd('show spd')
    check('wrong PSK: no policy installed', 'protect' not in spd, spd)
    isa = gw.cmd('show ike sa')
    check('wrong PSK: no IKE SA left', 'no IKE SAs' in isa, isa)
    sw = charon.list_sas()
    check('wrong PSK: strongSwan has no SA', 'ESTABLISHED' not in sw, sw)
    check('wrong PSK: strongSwan logged the failure',
          'N(AUTH_FAILED)' in charon.log(),
          charon.log()[-1500:])
    charon.stop()


def telemetry_ike(topo, ins):
    """/shardsec/ike and /shardsec/ike_children, as a monitoring agent
    reads them (the control lcore publishes a snapshot every 200 ms)."""
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                        '..', 'usertools', 'ss-telemetry.py')
    time.sleep(0.5)
    tel = sh(['/usr/bin/python3', tool, '-f', 'ss' + topo.tag,
              '/shardsec/ike', '/shardsec/ike_children,sw',
              '/shardsec/ike_children,nosuchpeer']).stdout
    try:
        objs = [json.loads(x) for x in tel.splitlines()]
        ike = objs[0]['/shardsec/ike']
        ch = objs[1]['/shardsec/ike_children']
        none = objs[2]['/shardsec/ike_children']
    except (ValueError, KeyError, IndexError):
        check('telemetry /shardsec/ike answers JSON', False, tel)
        return
    sa = [v for k, v in ike.items() if k.startswith('ike_sa_') and
          v['peer'] == 'sw']
    check('telemetry /shardsec/ike: 1 established IKE SA with 2 pairs, '
          'counters', ike['nb_ike_sas'] == 1 and len(sa) == 1 and
          sa[0]['state'] == 'ESTABLISHED' and sa[0]['children'] == 2 and
          ike['counters']['ike_established'] >= 1 and
          ike['counters']['child_installed'] >= 2, tel)
    check('telemetry /shardsec/ike_children,sw: our inbound SPIs, ids 1, 2;'
          ' a filter on an unknown peer lists none',
          sorted(int(k, 16) for k in ch) == sorted(ins) and
          sorted(c['instance_id'] for c in ch.values()) == [1, 2] and
          not none,
          tel)
    check('telemetry: never the PSK', PSK not in tel, tel)


def case_initiator(gw, charon, topo):
    charon.start(PSK)
    mark = len(gw_log(gw))
    t0 = time.time()
    t = gw.cmd('ike initiate sw')
    check('initiator: ike initiate sw', 'initiating' in t, t)
    pat = (r'peer sw: all (\d+) child SA pairs installed ([\d.]+) ms after '
           r'initiate')
    m = wait(lambda: re.search(pat, gw_log(gw)[mark:]), 30, 0.05)
    wall = (time.time() - t0) * 1000
    check('initiator: all 2 pairs installed', m and m.group(1) == '2',
          gw_log(gw)[-3000:])
    if m:
        print('    FIGURE: `ike initiate` -> both per-server Child SA pairs '
              'installed: %s ms (gateway clock); %.0f ms as seen by the '
              'test (incl. shell round trip and log polling)'
              % (m.group(2), wall))
    log = gw_log(gw)[mark:]
    inst = re.findall(r'child SA sw/net installed: in 0x([0-9a-f]{8}) out '
                      r'0x([0-9a-f]{8}) server (\d+) \(id (\d+)\)', log)
    check('initiator: 2 "child SA sw/net installed" lines, ids 1 and 2',
          sorted(int(x[3]) for x in inst) == [1, 2], log[-2000:])
    time.sleep(0.5)
    sw = charon.list_sas()
    check('initiator: strongSwan: 1 IKE SA ESTABLISHED',
          sw.count('ESTABLISHED') == 1, sw)
    swc = sw_children(sw)
    check('initiator: strongSwan: 2 Child SA pairs INSTALLED',
          len(swc) == 2, sw)
    check('initiator: strongSwan does ESP in UDP (NAT-T, 4500)',
          '[4500]' in sw and 'TUNNEL-in-UDP' in sw, sw)
    sas, out = gw_sas(gw)
    ins = sorted(s for (s, d) in sas if d == 'in')
    outs = sorted(s for (s, d) in sas if d == 'out')
    check('initiator: show sa: inbound SPIs carry ids 1 and 2 (top 4 bits)',
          sorted(s >> 28 for s in ins) == [1, 2] and
          all(sas[(s, 'in')] == s >> 28 for s in ins), out)
    check('initiator: our inbound SPIs = strongSwan outbound, and back',
          set(ins) == {o for _, o in swc} and
          set(outs) == {i for i, _ in swc}, out + sw)
    check('initiator: SAs are udp-encap aes-gcm-128',
          out.count('udp-encap') == 4 and 'key' not in out.lower(), out)
    isa = gw.cmd('show ike sa')
    check('initiator: show ike sa: ESTABLISHED, 2 pairs',
          'ESTABLISHED' in isa and '2 child SA pair(s)' in isa, isa)
    telemetry_ike(topo, ins)
    spd = gw.cmd('show spd')
    check('initiator: SPD protects 192.0.2.0/24 -> 198.18.1.0/24 via sw/net',
          re.search(r'192\.0\.2\.0/24\s+198\.18\.1\.0/24.*protect\s+sw/net',
                    spd) is not None, spd)
    peers = gw.cmd('show ike peers')
    check('show ike peers: never the PSK', PSK not in peers and
          PSK not in gw.cmd('show config') and 'sw:' in peers, peers)
    traffic(topo, 'initiator')
    sas, out = gw_sas(gw)
    # strongSwan 5.x sends on its newest SA: one inbound SA decrypts all
    rx = re.findall(r'spi=0x([0-9a-f]{8}) id=\d+ server=\d+ in .*? '
                    r'packets=(\d+)', out)
    check('initiator: inbound ESP decrypted by our SAs',
          sum(int(p) for _, p in rx) > 100, out)
    srv = gw.cmd('show servers')
    print('    ' + '\n    '.join(srv.strip().splitlines()[1:4]))

    # rekey both pairs from the shell: new SPIs, same servers, traffic on
    old_in = set(ins)
    r = gw.cmd('ike rekey sw net')
    check('rekey: ike rekey sw net', 'rekeying' in r, r)

    def rekeyed():
        s, _ = gw_sas(gw)
        n = sorted(x for (x, d) in s if d == 'in')
        return n if len(n) == 2 and not set(n) & old_in else None
    new_in = wait(rekeyed, 20)
    check('rekey: 2 new inbound SPIs, old ones deleted, ids still 1 and 2',
          new_in and sorted(x >> 28 for x in new_in) == [1, 2],
          gw.cmd('show sa'))
    time.sleep(0.5)
    swc = sw_children(charon.list_sas())
    check('rekey: strongSwan agrees on the new pairs',
          new_in and {o for _, o in swc} == set(new_in), charon.list_sas())
    r2 = sh(['ping', '-c', '5', '-i', '0.2', '-W', '2', SW_HOST],
            ns=topo.ns_in, check=False, timeout=30)
    check('rekey: ping through the rekeyed pairs (5/5)',
          ' 0% packet loss' in r2.stdout, r2.stdout + gw.cmd('show sa'))


def in_packets(gw):
    out = gw.cmd('show sa')
    return sum(int(p) for p in re.findall(
        r'spi=0x[0-9a-f]{8} id=\d+ server=\d+ in .*? packets=(\d+)', out))


def case_responder(gw, charon, topo):
    t = gw.cmd('ike terminate sw')
    check('responder: ike terminate sw', 'deleting' in t, t)
    ok = wait(lambda: 'no SAs' in gw.cmd('show sa') and
              'ESTABLISHED' not in charon.list_sas(), 10)
    check('responder: terminate removed every SA on both sides', ok,
          gw.cmd('show sa') + charon.list_sas())
    r = sh(['swanctl', '--initiate', '--child', 'net', '--timeout', '15']
           + charon.uri(), check=False, timeout=30)
    check('responder: strongSwan initiates, we answer', r.returncode == 0,
          r.stdout[-1500:])
    # the gateway then makes the pair of its other server itself
    # (CREATE_CHILD_SA): wait until both sides have both pairs
    def both():
        sas, out = gw_sas(gw)
        ins = sorted(x for (x, d) in sas if d == 'in')
        swc = sw_children(charon.list_sas())
        ok = (len(ins) == 2 and len(swc) == 2 and
              {o for _, o in swc} == set(ins))
        return (ins, swc, out) if ok else None
    got = wait(both, 15)
    ins, swc, out = got if got else ([], [], gw.cmd('show sa'))
    check('responder: 2 pairs on both sides, inbound SPIs carry ids 1 and '
          '2, SPIs match', got is not None and
          sorted(x >> 28 for x in ins) == [1, 2],
          out + charon.list_sas())
    # strongSwan -> us: decrypted by our inbound SA whatever the server
    before = in_packets(gw)
    sh(['ping', '-c', '3', '-i', '0.2', '-W', '1', '-I', SW_HOST,
        '192.0.2.2'], ns=topo.ns_out, check=False, timeout=20)
    after = in_packets(gw)
    check('responder: strongSwan\'s ESP decrypted by our inbound SA '
          '(%d packets)' % (after - before), after - before >= 3,
          gw.cmd('show sa'))
    traffic(topo, 'responder')


class Harness:
    """What a test against strongSwan needs: the two namespaces with
    strongSwan's protected host, a temporary folder, and every charon and
    gateway it started stopped again whatever happens."""

    def __init__(self, binary, tmp_prefix):
        self.binary = binary
        self.topo = sstopo.Topology()
        self.tmp = tempfile.mkdtemp(prefix=tmp_prefix)
        os.chmod(self.tmp, 0o755)
        self.charons = []
        self.gws = []

    def up(self):
        self.topo.up()
        # strongSwan's protected network: kernel-libipsec routes via its
        # TUN and needs the local selector's address to exist locally
        sh(['ip', 'addr', 'add', SW_HOST + '/32', 'dev', 'lo'],
           ns=self.topo.ns_out)

    def charon(self, cls=None, *args):
        c = (cls or Charon)(self.topo.ns_out, self.tmp, *args)
        self.charons.append(c)
        return c

    def gateway(self, extra, servers=((1, 1), (2, 2))):
        """The gateway with that ike section, its addresses answered."""
        gw = sstopo.Gateway(self.binary, self.topo, self.topo.config(
            servers=servers, extra=extra))
        self.gws.append(gw)
        sh(['ping', '-c', '1', '-W', '2', GW_IP], ns=self.topo.ns_out,
           check=False)
        sh(['ping', '-c', '1', '-W', '2', '192.0.2.1'], ns=self.topo.ns_in,
           check=False)
        return gw

    def finish(self, gw, tag=''):
        """Stop the gateway: a clean exit, no sanitizer report."""
        rc, err = gw.stop()
        check('gateway exits cleanly' + tag, rc == 0, err[-2000:])
        bad = [ln for ln in err.splitlines()
               if 'Sanitizer' in ln or 'runtime error' in ln]
        check('no sanitizer report in the gateway stderr' + tag, not bad,
              '\n'.join(bad[:20]) + err[-3000:])

    def cases(self, charon, cases):
        """Run (name, fn) cases; one that raises is a failed check with
        charon's log, and the next still runs."""
        for name, fn in cases:
            try:
                fn()
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                check('%s: ran to the end' % name, False, e)
                log = charon.log()
                if log:
                    print('---- charon log (tail) ----\n' + log[-3000:])

    def close(self):
        for gw in self.gws:
            if gw.p.poll() is None:
                gw.stop()
        for c in self.charons:
            c.stop()
        self.topo.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def strongswan_main(doc, tmp_prefix, run):
    """main() of a test against strongSwan: run(harness) does the cases.
    Exit 2 without arguments, 77 (skipped) without root or strongSwan, 1
    when a check failed."""
    if len(sys.argv) < 2:
        print(doc)
        return 2
    if os.geteuid() != 0 or not os.path.exists('/usr/lib/ipsec/charon'):
        print('needs root and strongSwan (/usr/lib/ipsec/charon)')
        return 77
    h = Harness(sys.argv[1], tmp_prefix)
    try:
        h.up()
        run(h)
    finally:
        h.close()
    passed = sum(results)
    failed = len(results) - passed
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


def run(h):
    charon = h.charon()
    gw = h.gateway(ike_section())
    check('gateway up with IKE (2 servers)',
          'IKEv2: 1 peer(s)' in gw.out, gw.out[-1000:])
    h.cases(charon, (('wrong_psk', lambda: case_wrong_psk(gw, charon)),
                     ('initiator', lambda: case_initiator(gw, charon,
                                                          h.topo)),
                     ('responder', lambda: case_responder(gw, charon,
                                                          h.topo))))
    h.finish(gw)


def main():
    return strongswan_main(__doc__, 'ssikegw', run)


if __name__ == '__main__':
    sys.exit(main())
