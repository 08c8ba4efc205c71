#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""Turn a text file into a C string definition: embed.py IN OUT SYMBOL."""
import sys

src, dst, sym = sys.argv[1:4]
with open(src, 'rb') as f:
    data = f.read()
with open(dst, 'w') as f:
    f.write('/* generated from %s: do not edit */\n' % src.split('/')[-1])
    f.write('const char %s[] = {\n' % sym)
    for i in range(0, len(data), 12):
        f.write('\t' + ' '.join('0x%02x,' % b for b in data[i:i + 12]) + '\n')
    f.write('\t0x00\n};\n')
