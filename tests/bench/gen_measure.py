#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""Figures for doc/generator.md (measured, never asserted): latency
percentiles through the gateway at a modest rate, and the highest rate the
generator reaches on veth + af_packet with what comes back at that rate.
Same topology as tests/integration/test_gen.py.
Usage: gen_measure.py PATH/TO/shardsec [--busy]
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
import sstopo  # noqa: E402
import test_gen  # noqa: E402

STREAMS = '''
		{ name = "lat64"; proto = "udp"; tx = "g-in"; rx = "g-out";
		  src = "192.0.2.2"; dst = "203.0.113.1"; flows = 16;
		  size = 64; count = 20000; rate = 1000; },
		{ name = "latimix"; proto = "udp"; tx = "g-in"; rx = "g-out";
		  src = "192.0.2.2"; dst = "203.0.113.1"; flows = 16;
		  size = "imix"; count = 20000; rate = 1000; },
		{ name = "latesp"; proto = "esp"; tx = "g-out"; rx = "g-in";
		  src = "203.0.113.1"; dst = "192.0.2.2";
		  spis = [ 0x10000101, 0x20000101 ]; flows = 2;
		  size = 64; count = 20000; rate = 1000; },
		{ name = "max64"; proto = "udp"; tx = "g-in"; rx = "g-out";
		  src = "192.0.2.2"; dst = "203.0.113.1"; flows = 16;
		  size = 64; count = 300000; rate = 0; },
		{ name = "maximix"; proto = "udp"; tx = "g-in"; rx = "g-out";
		  src = "192.0.2.2"; dst = "203.0.113.1"; flows = 16;
		  size = "imix"; count = 200000; rate = 0; }
'''


def edit(busy):
    def f(text):
        text = re.sub(r'streams = \(.*?\n\t\);', 'streams = (' + STREAMS +
                      '\t);', text, flags=re.S)
        if busy:
            text = text.replace('poll_mode = "adaptive";\t\t#',
                                'poll_mode = "busy";\t\t#')
        return text
    return f


def main():
    binary = sys.argv[1]
    busy = '--busy' in sys.argv
    loop = test_gen.Loop()
    gw = None
    try:
        loop.up()

        class T:
            tag = loop.tag
        gw = sstopo.Gateway(binary, T, loop.config(edit(busy)), nlcores=4)
        print('cpus: %d, generator poll mode: %s' %
              (os.cpu_count(), 'busy' if busy else 'adaptive'))
        print('%-8s %8s %8s %7s %9s %9s %9s %9s %8s %8s' %
              ('stream', 'tx', 'rx', 'lost', 'p50-us', 'p99-us', 'p999-us',
               'max-us', 'cyc/pkt', 'tx-pps'))
        for name in ('lat64', 'latimix', 'latesp', 'max64', 'maximix'):
            gw.cmd('clear gen stats')
            gw.cmd('gen start %s' % name)
            gw.cmd('gen wait 120000', timeout=130)
            s = test_gen.stream(test_gen.gen_stats(gw), name)
            lat = s['lat_ns']
            print('%-8s %8d %8d %7d %9.1f %9.1f %9.1f %9.1f %8.0f %8.0f' %
                  (name, s['tx'], s['rx'], s['lost'], lat['p50'] / 1e3,
                   lat['p99'] / 1e3, lat['p999'] / 1e3, lat['max'] / 1e3,
                   s['build_cycles_per_pkt'], s['tx_pps']))
            sys.stdout.flush()
    finally:
        if gw is not None:
            gw.stop()
        loop.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
