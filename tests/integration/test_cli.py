#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""The program's command line: --cmdline-file (echo, output, exit status),
SIGTERM shutdown, and configuration errors reported with file and line.
Usage: test_cli.py PATH/TO/shardsec
"""
import os
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


def run(binary, topo, args, cfg_text=None, timeout=60):
    d = tempfile.mkdtemp(prefix='shardsec-cli-')
    cmd = [binary] + sstopo.eal_args(topo.tag) + ['--']
    if cfg_text is not None:
        cfg = os.path.join(d, 'gw.cfg')
        with open(cfg, 'w') as f:
            f.write(cfg_text)
        cmd += ['-c', cfg]
    return subprocess.run(cmd + args, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL), d


def script(d, name, lines):
    p = os.path.join(d, name)
    with open(p, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return p


def main():
    binary = sys.argv[1]
    topo = sstopo.Topology()
    d = tempfile.mkdtemp(prefix='shardsec-cli-')
    try:
        topo.up()
        cfg = topo.config()
        good = script(d, 'good.cmd', [
            '# comment lines are skipped', 'help', 'help ports',
            'show port info 0', 'show port info outside',
            'show port stats all', 'show port stats 1', 'clear port stats 0',
            'show config', 'show lcores', 'show neigh', 'show route',
            'show stats', 'sleep 200', 'clear stats'])
        r, _ = run(binary, topo, ['--cmdline-file', good], cfg)
        out = r.stdout
        check('good script exits 0', r.returncode == 0,
              'rc %d %s' % (r.returncode, r.stderr[-800:]))
        for c in ('show port info 0', 'show route', 'clear stats'):
            check('command echoed: %s' % c, 'shardsec> ' + c in out)
        check('help lists groups', 'ports:' in out and 'system:' in out)
        check('show config prints ports', 'inside' in out and
              'net_af_packet_' in out)
        check('port info by name', 'Name: outside' in out)
        check('route table printed', '203.0.113.0/24' in out)

        bad = script(d, 'bad.cmd', ['show port info 9', 'show nonsense',
                                    'show port stats all'])
        r, _ = run(binary, topo, ['--cmdline-file', bad], cfg)
        check('bad script exits non-zero', r.returncode != 0,
              'rc %d' % r.returncode)
        check('bad port id message', 'error: no port \'9\'' in r.stdout,
              r.stdout[-800:])
        check('unknown command message',
              'error: unknown command' in r.stdout or
              'error: bad arguments' in r.stdout, r.stdout[-800:])
        check('failing line reported', 'bad.cmd:1: command failed' in
              r.stdout and 'bad.cmd:2: command failed' in r.stdout)
        check('later commands still run', 'NIC statistics for port 1'
              in r.stdout)

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
    failed = results.count(False)
    print('%d passed, %d failed' % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
