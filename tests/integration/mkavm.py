# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
"""The MKA peer VM of usertools/ss-mka-vm.sh, driven over its serial line.

The VM (Debian 12 kernel, wpa_supplicant 2.10, busybox, iproute2) has one
virtio-net NIC on a host tap interface. Its /init runs a command loop on
ttyS0: the host writes a line, the VM runs it with sh -c and prints
"@@END@@ STATUS". TCG by default (SS_MKAVM_ACCEL=kvm|tcg|auto): the VM
boots in about 10 s under TCG, and this project's machines have a
/dev/kvm whose nested KVM does not boot (auto would spend 45 s finding
that out); auto tries KVM first, then TCG.
"""
import os
import re
import select
import signal
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
BUILD_SCRIPT = os.path.join(SRC, 'usertools', 'ss-mka-vm.sh')


def image_dir(binary):
    """Where the image is cached: $SS_MKAVM_DIR or BUILD/mkavm."""
    d = os.environ.get('SS_MKAVM_DIR')
    if d:
        return d
    # binary is BUILD/app/shardsec
    return os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(binary))), 'mkavm')


def build_image(d):
    t0 = time.time()
    r = subprocess.run(['sh', BUILD_SCRIPT, 'build', d], capture_output=True,
                       text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError('ss-mka-vm.sh build failed:\n%s%s' %
                           (r.stdout[-2000:], r.stderr[-3000:]))
    return time.time() - t0, r.stdout.strip().splitlines()[-1]


kvm_failed = []


def kvm_usable():
    if kvm_failed:
        return False
    try:
        fd = os.open('/dev/kvm', os.O_RDWR)
        os.close(fd)
        return True
    except OSError:
        return False


class VM:
    """One VM on tap interface `tap` with NIC MAC `mac`."""

    def __init__(self, image, tap, mac, accel=None, boot_timeout=None):
        self.image = image
        self.tap = tap
        self.mac = mac
        self.p = None
        self.out = b''
        self.console = ''        # all that the VM printed, for reports
        want = accel or os.environ.get('SS_MKAVM_ACCEL', 'tcg')
        tries = []
        if want in ('auto', 'kvm') and kvm_usable():
            tries.append('kvm')
        if want in ('auto', 'tcg') or not tries:
            tries.append('tcg')
        err = ''
        for a in tries:
            # a KVM that does not boot (broken nested virtualisation)
            # is given up after a while; TCG gets all the time it needs
            to = boot_timeout or (45 if a == 'kvm' and len(tries) > 1
                                  else 240)
            try:
                self._start(a, to)
                return
            except RuntimeError as e:
                err += '%s: %s\n' % (a, e)
                self.close()
                if a == 'kvm':
                    # once per run: later VMs go straight to TCG
                    kvm_failed.append(str(e)[:200])
        raise RuntimeError('VM did not boot:\n' + err)

    def _start(self, accel, timeout):
        vmlinuz = os.path.join(self.image, 'vmlinuz')
        initrd = os.path.join(self.image, 'initrd.gz')
        cmd = ['qemu-system-x86_64', '-nodefaults', '-no-user-config',
               '-display', 'none', '-m', '256', '-smp', '1',
               '-kernel', vmlinuz, '-initrd', initrd,
               '-append', 'console=ttyS0 quiet loglevel=1 ipv6.disable=1 '
               'panic=-1',
               '-no-reboot',
               '-netdev', 'tap,id=n0,ifname=%s,script=no,downscript=no,'
               'vnet_hdr=off' % self.tap,
               '-device', 'virtio-net-pci,netdev=n0,mac=%s' % self.mac,
               '-serial', 'stdio']
        if accel == 'kvm':
            # -cpu host trips over nested KVM's MSRs on some hosts
            cmd += ['-enable-kvm', '-cpu', 'host,-arch-capabilities']
        else:
            cmd += ['-accel', 'tcg', '-cpu', 'max']
        self.accel = accel
        self.out = b''
        t0 = time.time()
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT,
                                  start_new_session=True)
        m = self._wait(rb'@@READY@@ (\S+)\n', timeout)
        if m is None:
            raise RuntimeError('no prompt after %d s; console:\n%s' %
                               (timeout, self.out[-2000:].decode(
                                   errors='replace')))
        self.boot_s = time.time() - t0
        self.kernel = m.group(1).decode()
        self.out = self.out[m.end():]

    def _wait(self, pattern, timeout):
        end = time.time() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.out)
            if m:
                return m
            left = end - time.time()
            if left <= 0 or self.p.poll() is not None:
                return None
            r, _, _ = select.select([self.p.stdout], [], [], min(left, 0.5))
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    return None
                self.out += chunk
                self.console += chunk.decode(errors='replace')

    def cmd(self, line, timeout=30):
        """Run `line` in the VM; (status, output). Status None: timeout."""
        if '\n' in line:
            raise ValueError('one line only')
        self.out = b''
        self.p.stdin.write(line.encode() + b'\n')
        self.p.stdin.flush()
        m = self._wait(rb'@@END@@ (\d+)\n', timeout)
        if m is None:
            # interrupt what runs: a new line is not read before it ends
            return None, self.out.decode(errors='replace')
        text = self.out[:m.start()].decode(errors='replace')
        self.out = self.out[m.end():]
        return int(m.group(1)), text

    def write_file(self, path, text):
        import base64
        b64 = base64.b64encode(text.encode()).decode()
        st, out = self.cmd('echo %s | base64 -d > %s' % (b64, path))
        if st != 0:
            raise RuntimeError('write %s: %s' % (path, out))

    def close(self):
        if self.p is None:
            return
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait()
        self.p = None
