#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
#
# A small QEMU/KVM virtual machine that is a third-party MACsec/MKA peer:
# Debian 12's kernel (MACsec module) and wpa_supplicant 2.10 (MKA,
# macsec_linux driver), in an initramfs with busybox, iproute2 and ping.
#
#   usertools/ss-mka-vm.sh build [DIR]   fetch and build into DIR
#                                        (default $SS_MKAVM_DIR or
#                                        build-v/mkavm); does nothing
#                                        when DIR is already up to date
#   usertools/ss-mka-vm.sh path [DIR]    print DIR/vmlinuz DIR/initrd.gz
#
# The kernel and wpasupplicant .debs are fetched with apt-get download into
# DIR/debs (no install). The host needs busybox-static, cpio, kmod and the
# shared libraries of wpa_supplicant, ip and ping (usertools/ss-deps.sh
# test). The VM's /init loads the modules, brings eth0 up (MTU 1600) and
# then runs a command loop on ttyS0: it reads a line, runs it with sh -c
# and prints "@@END@@ STATUS". tests/integration/mkavm.py drives it.
set -eu

cmd=${1:-build}
dir=${2:-${SS_MKAVM_DIR:-build-v/mkavm}}
# Bump when the image's contents change: a DIR built by another version
# is rebuilt.
IMAGE_VERSION=3

case "$cmd" in
build) ;;
path) echo "$dir/vmlinuz $dir/initrd.gz"; exit 0 ;;
*) echo "usage: $0 build|path [DIR]" >&2; exit 2 ;;
esac

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
stamp="v$IMAGE_VERSION $(sha256sum "$self" | cut -c1-16)"
if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$stamp" ] &&
		[ -f "$dir/vmlinuz" ] && [ -f "$dir/initrd.gz" ]; then
	echo "ss-mka-vm: $dir up to date"
	exit 0
fi
rm -f "$dir/stamp"

for t in busybox cpio depmod ldd apt-get dpkg-deb gzip; do
	if ! command -v "$t" >/dev/null 2>&1 && [ ! -x "/bin/$t" ] &&
			[ ! -x "/sbin/$t" ]; then
		echo "ss-mka-vm: $t missing (usertools/ss-deps.sh test)" >&2
		exit 1
	fi
done
BUSYBOX=/bin/busybox
if ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' &&
		ldd "$BUSYBOX" >/dev/null 2>&1; then
	echo "ss-mka-vm: $BUSYBOX is not static (install busybox-static)" >&2
	exit 1
fi

# ---- the .debs ----------------------------------------------------------
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/.*Depends: \(linux-image-6\.1[^ ]*-amd64\)$/\1/p' | head -1)
if [ -z "$kpkg" ]; then
	echo "ss-mka-vm: no linux-image-6.1*-amd64 known to apt" \
		"(apt-get update?)" >&2
	exit 1
fi
mkdir -p "$dir/debs"
(
	cd "$dir/debs"
	for p in "$kpkg" wpasupplicant; do
		for f in "${p}"_*.deb; do
			[ -f "$f" ] || apt-get download -q "$p"
		done
	done
)
for f in "$dir/debs/${kpkg}"_*.deb; do kdeb=$f; done
for f in "$dir/debs/"wpasupplicant_*.deb; do wdeb=$f; done

work=$(mktemp -d "$dir/work.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
dpkg-deb -x "$kdeb" "$work/k"
dpkg-deb -x "$wdeb" "$work/w"
for f in "$work/k/lib/modules/"*; do kver=$(basename "$f"); done
depmod -b "$work/k" "$kver"

# ---- the initramfs --------------------------------------------------------
root=$work/root
mkdir -p "$root/bin" "$root/sbin" "$root/etc" "$root/proc" "$root/sys" \
	"$root/dev" "$root/tmp" "$root/run" "$root/var/run" "$root/root" \
	"$root/lib/modules/$kver"
cp "$BUSYBOX" "$root/bin/busybox"
for a in $("$BUSYBOX" --list); do
	case "$a" in busybox) continue ;; esac
	ln -sf busybox "$root/bin/$a"
done
for a in modprobe insmod depmod ip ifconfig route sysctl; do
	ln -sf ../bin/busybox "$root/sbin/$a"
done

# A binary and the shared libraries it needs (with the loader), at their
# host paths.
add_bin() {
	src=$1 dst=$2
	mkdir -p "$root$(dirname "$dst")"
	cp -L "$src" "$root$dst"
	if ldd "$src" | grep -q 'not found'; then
		echo "ss-mka-vm: libraries of $src missing on this host:" >&2
		ldd "$src" | grep 'not found' >&2
		echo "ss-mka-vm: usertools/ss-deps.sh test installs them" >&2
		exit 1
	fi
	for l in $(ldd "$src" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p;
			s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		mkdir -p "$root$(dirname "$l")"
		[ -e "$root$l" ] || cp -L "$l" "$root$l"
	done
}
add_bin "$work/w/sbin/wpa_supplicant" /usr/sbin/wpa_supplicant
add_bin "$work/w/sbin/wpa_cli" /usr/sbin/wpa_cli
# iproute2 (ip macsec show) and iputils ping (-i 0.01): the host's, the
# same Debian 12 packages.
add_bin "$(command -v ip || echo /bin/ip)" /usr/bin/ip
add_bin "$(command -v ping || echo /bin/ping)" /usr/bin/ping
# /lib64 -> the loader as Debian has it
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || {
	mkdir -p "$root/lib64"
	cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
}

# Kernel modules: virtio-net, MACsec and GCM, with what they depend on.
mods="virtio_pci virtio_net macsec gcm ghash-generic ghash-clmulni-intel
aesni-intel ctr cryptd"
order=""
for m in $mods; do
	for f in $(modprobe -d "$work/k" -S "$kver" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }'); do
		rel=${f#"$work/k/lib/modules/$kver/"}
		mkdir -p "$root/lib/modules/$kver/$(dirname "$rel")"
		cp "$f" "$root/lib/modules/$kver/$rel"
		case " $order " in *" $rel "*) ;; *) order="$order $rel" ;; esac
	done
done
cp "$work/k/lib/modules/$kver/modules.builtin" \
	"$work/k/lib/modules/$kver/modules.builtin.modinfo" \
	"$work/k/lib/modules/$kver/modules.order" "$root/lib/modules/$kver/"
depmod -b "$root" "$kver"
echo "$order" > "$root/etc/modules.order"
cp "$work/k/boot/vmlinuz-$kver" "$dir/vmlinuz.new"

cat > "$root/init" <<'EOF'
#!/bin/sh
# shardsec MKA peer VM: set up, then run the host's commands from ttyS0.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo 1 > /proc/sys/kernel/printk
for m in $(cat /etc/modules.order); do
	insmod /lib/modules/$(uname -r)/$m 2>/dev/null
done
ip link set lo up
ip link set eth0 mtu 1600 up
exec </dev/ttyS0 >/dev/ttyS0 2>&1
stty raw -echo 2>/dev/null
echo "@@READY@@ $(uname -r)"
while IFS= read -r line; do
	sh -c "$line"
	echo "@@END@@ $?"
done
poweroff -f
EOF
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -6 > "$dir/initrd.gz.new"
mv "$dir/vmlinuz.new" "$dir/vmlinuz"
mv "$dir/initrd.gz.new" "$dir/initrd.gz"
echo "$stamp" > "$dir/stamp"
echo "ss-mka-vm: built $dir (kernel $kver," \
	"initrd $(du -k "$dir/initrd.gz" | cut -f1) KiB)"
