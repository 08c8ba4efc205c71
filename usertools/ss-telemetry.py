#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""Query a running shardsec's rte_telemetry endpoints (DPDK telemetry v2
protocol), for machines whose DPDK package lacks dpdk-telemetry.py.

  ss-telemetry.py [-f FILE_PREFIX] /shardsec/ports [/shardsec/sa ...]

With no command, lists the endpoints. Prints one JSON object per command.
"""
import argparse
import json
import os
import socket
import sys


def query(prefix, cmds):
    run = os.environ.get('XDG_RUNTIME_DIR') if os.getuid() != 0 else None
    base = os.path.join(run or '/var/run', 'dpdk', prefix)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(os.path.join(base, 'dpdk_telemetry.v2'))
    info = json.loads(s.recv(16384).decode())
    out = []
    for c in cmds or ['/']:
        s.send(c.encode())
        out.append(json.loads(s.recv(info.get('max_output_len', 16384))
                              .decode()))
    s.close()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('-f', '--file-prefix', default='rte')
    ap.add_argument('cmds', nargs='*')
    a = ap.parse_args()
    for o in query(a.file_prefix, a.cmds):
        print(json.dumps(o))
    return 0


if __name__ == '__main__':
    sys.exit(main())
