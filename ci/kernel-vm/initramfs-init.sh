#!/bin/busybox sh
# /init of the initramfs that ci/kernel-vm/run builds (busybox-static only).
# Loads the modules listed in /etc/isobench-modules (already in dependency
# order, decompressed), mounts the host root shared read-only over 9p
# (mount tag "hostroot"), mounts the runner's control share (tag
# "isobenchctl") at /run/isobench/ctl inside it, and switch_roots into the
# guest-side init whose path the runner wrote to ctl/init.
# shellcheck shell=sh

/bin/busybox mkdir -p /bin /proc /sys /dev /newroot
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

say() { echo "isobench-initramfs: $*" >/dev/console; }

fail() {
	say "FATAL: $*"
	echo "ISOBENCH_VM_EXIT=125" >/dev/console
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 60
}

if [ -r /etc/isobench-modules ]; then
	while read -r m; do
		[ -n "$m" ] || continue
		insmod "/lib/modules/$m" 2>/dev/null || say "insmod $m failed (continuing)"
	done </etc/isobench-modules
fi

# 9p over virtio: the channel appears once virtio_pci has probed the device;
# retry briefly instead of racing it.
MSIZE=${isobench_msize:-512000}
i=0
until mount -t 9p -o "trans=virtio,version=9p2000.L,msize=$MSIZE,cache=loose,ro" hostroot /newroot 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 50 ] || fail "cannot mount the host root (9p tag hostroot): is 9p/virtio in this kernel?"
	sleep 0.1
done

mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /newroot/run || fail "cannot mount tmpfs on /run"
mkdir -p /newroot/run/isobench/ctl
mount -t 9p -o "trans=virtio,version=9p2000.L,msize=$MSIZE" isobenchctl /newroot/run/isobench/ctl ||
	fail "cannot mount the control share (9p tag isobenchctl)"

GUEST_INIT=
read -r GUEST_INIT </newroot/run/isobench/ctl/init || true
[ -n "$GUEST_INIT" ] || fail "ctl/init is empty"
[ -x "/newroot$GUEST_INIT" ] || fail "guest init $GUEST_INIT is not executable in the host root"

umount /proc /sys /dev 2>/dev/null
# shellcheck disable=SC2093  # fall through to fail only if exec fails
exec switch_root /newroot "$GUEST_INIT"
fail "switch_root failed"
