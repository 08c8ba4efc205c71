#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""lib/ike against a real strongSwan 5.9.8 (charon, kernel-libipsec).

Two network namespaces joined by a veth pair: charon in one, the
standalone driver (tests/ike/ss_ike_peer, lib/ike over kernel UDP
sockets) in the other. Each case checks both sides: what the driver
reports and what `swanctl --list-sas` says over charon's own vici socket.

usage: test_strongswan.py PATH/TO/ss_ike_peer [case...]
Needs root. Prints "N passed, N failed"; exit status 1 on any failure.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TAG = str(os.getpid() % 100000)
NS_SS = 'ssike' + TAG
NS_SW = 'sswan' + TAG
SS_IP = '10.99.0.1'
SW_IP = '10.99.0.2'
SS_NET = '10.1.0.0/24'
SW_NET = '10.2.0.0/24'
PSK = 'interop-secret-1234'
PLUGINS = ('random nonce openssl aes sha1 sha2 hmac gcm pem pkcs1 x509 '
           'kdf kernel-libipsec kernel-netlink socket-default vici '
           'curve25519')


def sh(cmd, ns=None, check=True, timeout=30):
    if ns:
        cmd = ['ip', 'netns', 'exec', ns] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError('%s: %s' % (' '.join(cmd), r.stderr.strip()))
    return r


class Env:
    def __init__(self, driver):
        self.driver = driver
        self.tmp = tempfile.mkdtemp(prefix='ssike')
        self.charon = None
        self.procs = []
        self.made = []

    def up(self):
        for ns in (NS_SS, NS_SW):
            sh(['ip', 'netns', 'add', ns])
            self.made.append(ns)
            sh(['ip', 'link', 'set', 'lo', 'up'], ns=ns)
        sh(['ip', 'link', 'add', 'ssv' + TAG, 'netns', NS_SS, 'type', 'veth',
            'peer', 'name', 'swv' + TAG, 'netns', NS_SW])
        sh(['ip', 'addr', 'add', SS_IP + '/24', 'dev', 'ssv' + TAG], ns=NS_SS)
        sh(['ip', 'addr', 'add', SW_IP + '/24', 'dev', 'swv' + TAG], ns=NS_SW)
        sh(['ip', 'link', 'set', 'ssv' + TAG, 'up'], ns=NS_SS)
        sh(['ip', 'link', 'set', 'swv' + TAG, 'up'], ns=NS_SW)
        # kernel-libipsec routes via its TUN: the local selector needs a
        # local address
        sh(['ip', 'addr', 'add', '10.2.0.1/24', 'dev', 'lo'], ns=NS_SW)

    def down(self):
        self.stop_charon()
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for ns in self.made:
            sh(['ip', 'netns', 'del', ns], check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- strongSwan --------------------------------------------------
    def vici(self):
        return 'unix://' + os.path.join(self.tmp, 'charon.vici')

    # kernel-libipsec has no ESN ("IPsec SA: ESN not supported"): charon
    # offers no ESN; we offer ESN first and must settle for none.
    def start_charon(self, psk=PSK, esp='aes128gcm16',
                     ike='aes256gcm16-prfsha256-ecp256', start=False,
                     dpd=0, encap=False, rekey=None):
        log = os.path.join(self.tmp, 'charon.log')
        conf = os.path.join(self.tmp, 'strongswan.conf')
        with open(conf, 'w') as f:
            f.write('charon {\n load = %s\n port = 500\n port_nat_t = 4500\n'
                    ' retransmit_timeout = 1.0\n retransmit_tries = 3\n'
                    ' install_virtual_ip = no\n'
                    ' plugins {\n  vici {\n   socket = %s\n  }\n'
                    '  kernel-libipsec {\n   allow_peer_ts = yes\n  }\n }\n'
                    ' filelog {\n  log {\n   path = %s\n   default = 1\n'
                    '   ike = 2\n   cfg = 2\n   flush_line = yes\n  }\n }\n'
                    '}\n' % (PLUGINS, self.vici(), log))
        swc = os.path.join(self.tmp, 'swanctl.conf')
        lines = [
            'connections {', 'ss {',
            'local_addrs = ' + SW_IP, 'remote_addrs = ' + SS_IP,
            'version = 2', 'proposals = ' + ike,
            'dpd_delay = %ds' % dpd if dpd else 'dpd_delay = 0s',
            'encap = %s' % ('yes' if encap else 'no'),
            'rekey_time = %s' % (rekey or '4h'),
            'local {', 'auth = psk', 'id = sw.example', '}',
            'remote {', 'auth = psk', 'id = gw.example', '}',
            'children {', 'net {',
            'local_ts = ' + SW_NET, 'remote_ts = ' + SS_NET,
            'esp_proposals = ' + esp,
            'start_action = none',
            '}', '}', '}', '}',
            'secrets {', 'ike-1 {', 'id-1 = gw.example',
            'id-2 = sw.example', 'secret = "%s"' % psk, '}', '}',
        ]
        with open(swc, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        env = dict(os.environ, STRONGSWAN_CONF=conf)
        self.charon = subprocess.Popen(
            ['ip', 'netns', 'exec', NS_SW, 'unshare', '-m', 'sh', '-c',
             'mount -t tmpfs none /run && exec /usr/lib/ipsec/charon'],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        sock = os.path.join(self.tmp, 'charon.vici')
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError('charon did not start')
        sh(['swanctl', '--load-all', '--file', swc, '--uri', self.vici()])

    def stop_charon(self, sig=signal.SIGTERM):
        if self.charon is not None and self.charon.poll() is None:
            os.killpg(self.charon.pid, sig)
            try:
                self.charon.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.charon.pid, signal.SIGKILL)
                self.charon.wait()
        self.charon = None

    def list_sas(self):
        return sh(['swanctl', '--list-sas', '--uri', self.vici()],
                  check=False).stdout

    def charon_log(self):
        try:
            with open(os.path.join(self.tmp, 'charon.log')) as f:
                return f.read()
        except OSError:
            return ''

    # -- shardsec driver ---------------------------------------------
    def ss_config(self, servers=(1, 2), psk=PSK, esp='aes128gcm16-esn-noesn',
                  ike='aes256gcm16-prfsha256-ecp256', dpd=0, encap=False,
                  extra_child='', save_keys=None):
        path = os.path.join(self.tmp, 'ss.cfg')
        srv = ',\n'.join('{ id = %d; lcore = %d; }' % (s, i + 1)
                         for i, s in enumerate(servers))
        with open(path, 'w') as f:
            f.write('''instance_bits = 4;
ports = ( { name = "outside"; device = "net_null0"; } );
servers = ( %s );
ike = {
  retransmit_ms = 500;
  retransmit_tries = 3;
  %s
  peers = ( {
    name = "sw";
    local_addr = "%s";
    remote_addr = "%s";
    local_id = "gw.example";
    remote_id = "sw.example";
    psk = "%s";
    ike_proposals = [ "%s" ];
    dpd_interval = %d;
    encap = %s;
    children = ( {
      name = "net";
      local_ts = [ "%s" ];
      remote_ts = [ "%s" ];
      esp_proposals = [ "%s" ];
      per_server = true;
      %s
    } );
  } );
};
''' % (srv, 'debug_save_keys = "%s";' % save_keys if save_keys else '',
                SS_IP, SW_IP, psk, ike, dpd, 'true' if encap else 'false',
                SS_NET, SW_NET, esp, extra_child))
        return path

    def driver_run(self, args, timeout=40):
        cmd = ['ip', 'netns', 'exec', NS_SS, self.driver] + args
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        self.procs.append(p)
        return p

    @staticmethod
    def driver_wait(p, timeout=60):
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
        return p.returncode, out


def parse_sw_children(text):
    """[(in_spi, out_spi)] of INSTALLED child SAs in swanctl output
    (rekeyed ones linger a few seconds as DELETED: not counted)."""
    res = []
    state = None
    spi_in = None
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


def driver_children(out):
    return [dict(kv.split('=', 1) for kv in l.split()[1:] if '=' in kv)
            for l in out.splitlines() if l.startswith('CHILD_INSTALL')]


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


# ---- cases -------------------------------------------------------------

def case_initiator_two_servers(env):
    """shardsec initiates; 1 IKE SA and one Child SA pair per server."""
    env.start_charon()
    cfg = env.ss_config(servers=(1, 2))
    p = env.driver_run(['--config', cfg, '--initiate', 'sw',
                        '--expect-children', '2', '--timeout', '20',
                        '--linger', '1.5'])
    rc, out = env.driver_wait(p)
    sas = env.list_sas()
    check(rc == 0, 'driver failed:\n' + out[-3000:])
    ch = driver_children(out)
    check(len(ch) == 2, 'driver installed %d children' % len(ch))
    ids = sorted(int(c['in'], 16) >> 28 for c in ch)
    check(ids == [1, 2], 'our inbound SPIs carry ids %s' % ids)
    check(sorted(int(c['server']) for c in ch) == [1, 2], 'server ids')
    check(sas.count('ESTABLISHED') == 1, 'strongSwan IKE SAs:\n' + sas)
    sw = parse_sw_children(sas)
    check(len(sw) == 2, 'strongSwan child SAs: %d\n%s' % (len(sw), sas))
    sw_out = sorted(o >> 28 for _, o in sw)
    check(sw_out == [1, 2], "strongSwan's outbound SPIs ids %s" % sw_out)
    ours = {(int(c['in'], 16), int(c['out'], 16)) for c in ch}
    theirs = {(o, i) for i, o in sw}
    check(ours == theirs, 'SPI pairs differ: %s vs %s' % (ours, theirs))
    check('AES_GCM_16-128' in sas and '/ESN' not in sas,
          'ESP algorithm, ESN:\n' + sas)
    check(all(c['esn'] == '0' for c in ch), 'driver thinks ESN')
    m = re.search(r'ALL_CHILDREN_MS (\d+)', out)
    print('    time from initiate to 2 pairs installed: %s ms'
          % (m.group(1) if m else '?'))
    env.stop_charon()


def case_initiator_cbc_modp(env):
    """AES-CBC-256 + HMAC-SHA2-256-128, MODP-2048, no ESN, 3 servers."""
    env.start_charon(ike='aes256-sha256-modp2048',
                     esp='aes256-sha256-noesn')
    cfg = env.ss_config(servers=(3, 5, 7), ike='aes256-sha256-modp2048',
                        esp='aes256-sha256-noesn')
    p = env.driver_run(['--config', cfg, '--initiate', 'sw',
                        '--expect-children', '3', '--timeout', '20',
                        '--linger', '1'])
    rc, out = env.driver_wait(p)
    sas = env.list_sas()
    check(rc == 0, 'driver failed:\n' + out[-3000:])
    sw = parse_sw_children(sas)
    check(sorted(o >> 28 for _, o in sw) == [3, 5, 7],
          'strongSwan outbound SPI ids:\n' + sas)
    check('AES_CBC-256/HMAC_SHA2_256_128' in sas, 'ESP algs:\n' + sas)
    check('MODP_2048' in sas, 'IKE group:\n' + sas)
    env.stop_charon()


def case_invalid_ke(env):
    """We offer ecp256 first; charon wants curve25519: INVALID_KE retry."""
    env.start_charon(ike='aes128gcm16-prfsha256-curve25519')
    cfg = env.ss_config(servers=(1,),
                        ike='aes128gcm16-prfsha256-ecp256-curve25519')
    p = env.driver_run(['--config', cfg, '--initiate', 'sw',
                        '--expect-children', '1', '--timeout', '20',
                        '--linger', '0.5'])
    rc, out = env.driver_wait(p)
    sas = env.list_sas()
    check(rc == 0, 'driver failed:\n' + out[-3000:])
    check('invalid_ke_rcvd=1' in out, 'no INVALID_KE retry:\n' + out[-2000:])
    check('CURVE_25519' in sas, 'group:\n' + sas)
    env.stop_charon()


def case_nat_encap(env):
    """encap (fake NAT): both float to 4500, non-ESP marker, UDP ESP."""
    env.start_charon()
    cfg = env.ss_config(servers=(1, 2), encap=True)
    p = env.driver_run(['--config', cfg, '--initiate', 'sw',
                        '--expect-children', '2', '--timeout', '20',
                        '--linger', '1'])
    rc, out = env.driver_wait(p)
    sas = env.list_sas()
    check(rc == 0, 'driver failed:\n' + out[-3000:])
    check('[4500]' in sas, 'strongSwan did not float:\n' + sas)
    check('TUNNEL-in-UDP' in sas, 'no UDP encapsulation:\n' + sas)
    check(all(c['encap'] == '1' for c in driver_children(out)),
          'driver children not encapsulated')
    env.stop_charon()


def case_responder(env):
    """strongSwan initiates one pair; the driver answers it and then
    creates the pair of its other server itself (strongSwan 5.9 never
    initiates duplicate-selector children, but accepts them)."""
    env.start_charon()
    cfg = env.ss_config(servers=(1, 2))
    p = env.driver_run(['--config', cfg, '--expect-children', '2',
                        '--timeout', '20', '--linger', '1'])
    time.sleep(0.5)
    r = sh(['swanctl', '--initiate', '--child', 'net', '--timeout', '15',
            '--uri', env.vici()], check=False, timeout=30)
    rc, out = env.driver_wait(p)
    sas = env.list_sas()
    check(r.returncode == 0, 'swanctl --initiate: %s' % r.stdout[-2000:])
    check(rc == 0, 'driver failed:\n' + out[-3000:])
    ch = driver_children(out)
    check(len(ch) == 2, 'driver children %d' % len(ch))
    sw = parse_sw_children(sas)
    check(len(sw) == 2 and sorted(x[1] for x in sw) ==
          sorted(int(c['in'], 16) for c in ch),
          'SPIs:\n' + sas + out[-1500:])
    check(sorted(x[1] >> 28 for x in sw) == [1, 2],
          'one pair per server id:\n' + sas)
    env.stop_charon()


def case_responder_peer_rekeys(env):
    """strongSwan rekeys the pair and the IKE SA, then deletes it all
    (one server, so the pair strongSwan rekeys is the only one)."""
    env.start_charon()
    cfg = env.ss_config(servers=(1,))
    p = env.driver_run(['--config', cfg, '--expect-children', '1',
                        '--timeout', '25', '--linger', '6'])
    time.sleep(0.5)
    uri = ['--uri', env.vici()]
    r = sh(['swanctl', '--initiate', '--child', 'net', '--timeout', '10']
           + uri, check=False, timeout=30)
    check(r.returncode == 0, 'initiate: ' + r.stdout[-1000:])
    time.sleep(1)
    r = sh(['swanctl', '--rekey', '--child', 'net'] + uri, check=False)
    check(r.returncode == 0, 'child rekey: ' + r.stdout + r.stderr)
    time.sleep(1)
    r = sh(['swanctl', '--rekey', '--ike', 'ss'] + uri, check=False)
    check(r.returncode == 0, 'ike rekey: ' + r.stdout + r.stderr)
    time.sleep(1)
    mid = env.list_sas()
    r = sh(['swanctl', '--terminate', '--ike', 'ss', '--timeout', '5'] + uri,
           check=False, timeout=30)
    check(r.returncode == 0, 'terminate: ' + r.stdout + r.stderr)
    rc, out = env.driver_wait(p)
    check(rc == 0, 'driver failed:\n' + out[-3000:])
    ch = driver_children(out)
    check(len(ch) == 2, 'installs %d:\n%s' % (len(ch), out[-2000:]))
    check(ch[1]['replaces'] == ch[0]['in'], 'rekey did not name the old SA')
    check(int(ch[1]['in'], 16) >> 28 == int(ch[0]['in'], 16) >> 28,
          'rekeyed pair moved server')
    check('ike_rekeyed=1' in out, 'IKE rekey not seen:\n' + out[-1500:])
    check(out.count('CHILD_DELETE') == 2, 'deletes:\n' + out[-1500:])
    check('IKE_SA ' not in out.split('CONDITION_MET')[-1].split(
        'STATS')[0], 'an IKE SA is left:\n' + out[-1500:])
    sw = parse_sw_children(mid)
    check(len(sw) == 1 and sw[0][1] == int(ch[1]['in'], 16),
          'strongSwan before delete:\n' + mid)
    env.stop_charon()


def case_wireshark_decrypts(env):
    """Exported keys (debug_save_keys) let Wireshark decrypt the captured
    IKE_AUTH and strongSwan's ESP to us: our KDF agrees with both."""
    keys = os.path.join(env.tmp, 'keys')
    wsdir = os.path.join(env.tmp, 'home', '.config', 'wireshark')
    os.makedirs(keys)
    os.makedirs(wsdir)
    pcap = os.path.join(env.tmp, 'cap.pcapng')
    env.start_charon(ike='aes256-sha256-modp2048', esp='aes128-sha256')
    cap = subprocess.Popen(['ip', 'netns', 'exec', NS_SS, 'dumpcap', '-q',
                            '-i', 'ssv' + TAG, '-w', pcap],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    env.procs.append(cap)
    time.sleep(1)
    cfg = env.ss_config(servers=(1, 2), save_keys=keys,
                        ike='aes256-sha256-modp2048',
                        esp='aes128-sha256-noesn')
    p = env.driver_run(['--config', cfg, '--initiate', 'sw',
                        '--expect-children', '2', '--timeout', '20',
                        '--linger', '3'])
    time.sleep(1.5)
    # strongSwan encrypts towards us (our inbound SPIs)
    sh(['ping', '-c', '2', '-i', '0.2', '-W', '1', '-I', '10.2.0.1',
        '10.1.0.5'], ns=NS_SW, check=False, timeout=10)
    rc, out = env.driver_wait(p)
    time.sleep(0.5)
    cap.terminate()
    cap.wait()
    check(rc == 0, 'driver failed:\n' + out[-3000:])
    for f in ('ikev2_decryption_table', 'esp_sa'):
        shutil.copy(os.path.join(keys, f), os.path.join(wsdir, f))
    env2 = dict(os.environ, HOME=os.path.join(env.tmp, 'home'))
    r = subprocess.run(['tshark', '-r', pcap, '-o',
                        'esp.enable_encryption_decode:TRUE', '-V'],
                       capture_output=True, text=True, env=env2, timeout=60)
    txt = r.stdout
    if os.environ.get('SS_KEEP_CAPTURE'):
        shutil.copytree(env.tmp, os.environ['SS_KEEP_CAPTURE'],
                        dirs_exist_ok=True)
    dbg = '\n'.join(l for l in txt.splitlines()
                    if 'Decrypted' in l or 'Identification' in l
                    or 'ICMP' in l or 'ESP' in l)[-3000:]
    check('Decrypted Data' in txt and
          'Payload: Identification - Initiator (35)' in txt and
          'Payload: Identification - Responder (36)' in txt,
          'IKE_AUTH not decrypted by tshark:\n' + dbg)
    check('Internet Control Message Protocol' in txt,
          'ESP not decrypted by tshark (esp_sa):\n' + dbg)
    env.stop_charon()


def case_wrong_psk(env, initiator=True):
    """Wrong PSK: AUTHENTICATION_FAILED on both sides, nothing installed."""
    env.start_charon(psk='another-secret-5678')
    cfg = env.ss_config(servers=(1, 2))
    args = ['--config', cfg, '--expect-auth-failed', '--timeout', '15',
            '--linger', '0.5']
    if initiator:
        args += ['--initiate', 'sw']
    p = env.driver_run(args)
    if not initiator:
        time.sleep(0.5)
        sh(['swanctl', '--initiate', '--child', 'net', '--timeout', '10',
            '--uri', env.vici()], check=False, timeout=30)
    rc, out = env.driver_wait(p)
    time.sleep(0.5)
    sas = env.list_sas()
    log = env.charon_log()
    check(rc == 0, 'driver did not see AUTHENTICATION_FAILED:\n'
          + out[-3000:])
    check('CHILD_INSTALL' not in out, 'driver installed a child')
    check('ESTABLISHED' not in sas, 'strongSwan kept an SA:\n' + sas)
    check('N(AUTH_FAILED)' in log, 'strongSwan log lacks the failure')
    env.stop_charon()


def case_wrong_psk_responder(env):
    case_wrong_psk(env, initiator=False)


def case_rekey_child(env):
    """CHILD_SA rekey of both pairs (make-before-break), then IKE rekey."""
    env.start_charon()
    cfg = env.ss_config(servers=(1, 2))
    p = env.driver_run(['--config', cfg, '--initiate', 'sw',
                        '--expect-children', '2', '--timeout', '25',
                        '--linger', '6', '--rekey-child-at', '3',
                        '--rekey-ike-at', '5'])
    rc, out = env.driver_wait(p)
    sas = env.list_sas()
    check(rc == 0, 'driver failed:\n' + out[-3000:])
    ch = driver_children(out)
    check(len(ch) == 4, 'expected 2 + 2 installs, got %d' % len(ch))
    check(out.count('CHILD_DELETE') >= 2, 'old pairs not deleted')
    rek = [c for c in ch if c['replaces'] != '00000000']
    check(len(rek) == 2, 'rekeyed pairs %d' % len(rek))
    for c in rek:
        check(int(c['in'], 16) >> 28 == int(c['replaces'], 16) >> 28,
              'rekeyed pair moved server')
    check('ike_rekeyed=1' in out, 'IKE SA not rekeyed:\n' + out[-2000:])
    check(sas.count('ESTABLISHED') == 1, 'IKE SAs:\n' + sas)
    sw = parse_sw_children(sas)
    check(sorted(o >> 28 for _, o in sw) == [1, 2],
          'after rekeys strongSwan has:\n' + sas)
    env.stop_charon()


def case_dpd_dead(env):
    """Liveness: charon killed, DPD retransmits, SA declared dead."""
    env.start_charon()
    cfg = env.ss_config(servers=(1,), dpd=1)
    p = env.driver_run(['--config', cfg, '--initiate', 'sw',
                        '--expect-dead', '--timeout', '25'])
    time.sleep(2.5)
    env.stop_charon(signal.SIGKILL)
    rc, out = env.driver_wait(p)
    check(rc == 0, 'driver did not declare the peer dead:\n' + out[-3000:])
    check('dpd_sent=' in out and 'dpd_dead=1' in out, out[-1500:])
    check('CHILD_DELETE' in out, 'children not deleted')


def case_server_add_del(env):
    """A server added at run time gets a pair; a removed one loses it."""
    env.start_charon()
    cfg = env.ss_config(servers=(1,))
    p = env.driver_run(['--config', cfg, '--initiate', 'sw',
                        '--expect-children', '1', '--timeout', '20',
                        '--linger', '4', '--server-add-at', '1.5:9',
                        '--server-del-at', '3:1'])
    rc, out = env.driver_wait(p)
    sas = env.list_sas()
    check(rc == 0, 'driver failed:\n' + out[-3000:])
    sw = parse_sw_children(sas)
    check([o >> 28 for _, o in sw] == [9], 'strongSwan has:\n' + sas)
    env.stop_charon()


CASES = [
    ('initiator_two_servers', case_initiator_two_servers),
    ('responder', case_responder),
    ('responder_peer_rekeys_and_deletes', case_responder_peer_rekeys),
    ('wrong_psk_initiator', case_wrong_psk),
    ('wrong_psk_responder', case_wrong_psk_responder),
    ('initiator_cbc_modp_3servers', case_initiator_cbc_modp),
    ('invalid_ke_retry', case_invalid_ke),
    ('nat_encap_4500', case_nat_encap),
    ('rekey_child_and_ike', case_rekey_child),
    ('server_add_del', case_server_add_del),
    ('dpd_dead_peer', case_dpd_dead),
    ('wireshark_decrypts_exported_keys', case_wireshark_decrypts),
]


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    driver = os.path.abspath(sys.argv[1])
    only = sys.argv[2:]
    if os.geteuid() != 0 or not os.path.exists('/usr/lib/ipsec/charon'):
        print('needs root and strongSwan (/usr/lib/ipsec/charon)')
        return 77
    passed = failed = 0
    for name, fn in CASES:
        if only and name not in only:
            continue
        env = Env(driver)
        t = time.time()
        try:
            env.up()
            fn(env)
            passed += 1
            print('PASS %s (%.1fs)' % (name, time.time() - t))
        except (Fail, RuntimeError) as e:
            failed += 1
            print('FAIL %s: %s' % (name, e))
            log = env.charon_log()
            if log:
                print('---- charon log (tail) ----')
                print(log[:1500])
                print('....')
                print(log[-4000:])
        finally:
            env.down()
        sys.stdout.flush()
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
