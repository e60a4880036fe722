#!/bin/bash
# Guest-side init (PID 1) for ci/kernel-vm/run. Runs from the host root that
# the guest sees read-only over 9p. Mounts the pure cgroup v2 hierarchy and
# the writable places, runs the command given in the control share, writes
# its exit status back to the control share, and powers the VM off.
#
# Serial ports: ttyS0 = console (kernel, this script's diagnostics),
#               ttyS1 = the command's stdout, ttyS2 = the command's stderr.
set -u
{ # parsed as a whole up front: host-side edits during a run do not matter
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

CTL=/run/isobench/ctl
STATE=/run/isobench
VERBOSE=0
START_UPTIME=

exec </dev/null >/dev/console 2>&1 || true

log() { echo "isobench-guest: $*" >&2; }
debug() {
	if [ "$VERBOSE" = 1 ]; then
		local up _
		read -r up _ </proc/uptime 2>/dev/null
		log "[${up:-?}] $*"
	fi
}

poweroff_now() {
	sync
	/bin/busybox poweroff -f 2>/dev/null
	poweroff -f 2>/dev/null
	echo o >/proc/sysrq-trigger
	sleep 60
}

finish() {
	local rc=$1
	echo "$rc" >"$CTL/status.tmp" && mv "$CTL/status.tmp" "$CTL/status"
	echo "ISOBENCH_VM_EXIT=$rc" >/dev/console
	poweroff_now
}

# Setup failure: message to the command's stderr channel if it is up yet.
fatal() {
	log "FATAL: $*"
	if [ -n "${ERR_TTY_READY:-}" ]; then echo "kernel-vm guest: $*" >&4; fi
	finish 125
}

mount -t proc -o nosuid,nodev,noexec proc /proc || fatal "mount /proc"
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys || fatal "mount /sys"
mount -t devtmpfs -o mode=755,nosuid devtmpfs /dev || fatal "mount /dev"
exec </dev/null >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
read -r START_UPTIME _ </proc/uptime

# shellcheck source=/dev/null
. "$CTL/env.sh" || fatal "cannot read $CTL/env.sh"
# env.sh defines: VERBOSE, PROJECT_DIR, ARGV (array), CMD_ENV (array of
# NAME=VALUE), RW_DIRS (array of host paths shared read-write, tag rwN),
# DISK_SERIAL, DISK_MOUNT.
debug "guest init started at uptime $START_UPTIME s"

# Output channels: the command writes into fifos; cat copies them to the
# serial ports in raw mode (no \n -> \r\n translation), and closing the tty
# at the end waits until every byte has left the UART.
mkdir -p "$STATE"
mkfifo "$STATE/stdout" "$STATE/stderr"
(stty raw -echo 2>/dev/null; exec cat "$STATE/stdout") <>/dev/ttyS1 >&0 2>/dev/null &
OUT_PID=$!
(stty raw -echo 2>/dev/null; exec cat "$STATE/stderr") <>/dev/ttyS2 >&0 2>/dev/null &
ERR_PID=$!
exec 3>"$STATE/stdout" 4>"$STATE/stderr"
ERR_TTY_READY=1

# Pure cgroup v2 (the kernel was booted with cgroup_no_v1=all). Controllers
# are NOT enabled in subtree_control here: the product does that itself.
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup 2>/dev/null ||
	mount -t cgroup2 cgroup2 /sys/fs/cgroup || fatal "mount cgroup2 on /sys/fs/cgroup"
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true

# The project directory: bind the host's copy aside first (it may live under
# /tmp or /root, which get a tmpfs below), then overlay a tmpfs upper on it.
mkdir -p "$STATE/lower" "$STATE/ovl"
mount --bind "$PROJECT_DIR" "$STATE/lower" || fatal "bind $PROJECT_DIR"

for d in /tmp /var/tmp /root; do
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$d" || fatal "mount tmpfs on $d"
done
chmod 700 /root
mount -t tmpfs -o mode=755 tmpfs /mnt || fatal "mount tmpfs on /mnt"

mount -t tmpfs -o mode=755 tmpfs "$STATE/ovl" || fatal "mount tmpfs for the overlay"
mkdir -p "$STATE/ovl/upper" "$STATE/ovl/work" "$PROJECT_DIR" || fatal "mkdir $PROJECT_DIR"
mount -t overlay -o "lowerdir=$STATE/lower,upperdir=$STATE/ovl/upper,workdir=$STATE/ovl/work" \
	overlay "$PROJECT_DIR" || fatal "overlay on $PROJECT_DIR failed (is CONFIG_OVERLAY_FS set?)"
debug "project dir $PROJECT_DIR: overlay (lower 9p read-only, upper tmpfs)"

i=0
for d in "${RW_DIRS[@]}"; do
	mkdir -p "$d" 2>/dev/null
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=mmap "rw$i" "$d" ||
		fatal "mount read-write share rw$i on $d"
	debug "read-write share: $d"
	i=$((i + 1))
done

# The scratch disk (virtio-blk, serial $DISK_SERIAL), formatted ext4 by the host.
disk=
for s in /sys/block/vd*/serial; do
	[ -r "$s" ] || continue
	if [ "$(cat "$s")" = "$DISK_SERIAL" ]; then
		disk=/dev/$(basename "$(dirname "$s")")
	fi
done
if [ -n "$disk" ]; then
	mkdir -p "$DISK_MOUNT"
	mount -t ext4 "$disk" "$DISK_MOUNT" || fatal "mount $disk on $DISK_MOUNT"
	debug "disk $disk ($(cat "/sys/block/${disk#/dev/}/dev")) on $DISK_MOUNT"
else
	fatal "the scratch disk (virtio-blk serial $DISK_SERIAL) is missing"
fi

# Network: loopback only (servers in the product listen on 127.0.0.1).
if command -v ip >/dev/null; then ip link set lo up; else /bin/busybox ip link set lo up; fi
hostname isobench-vm 2>/dev/null || echo isobench-vm >/proc/sys/kernel/hostname

cd "$PROJECT_DIR" || fatal "cd $PROJECT_DIR"
read -r CMD_UPTIME _ </proc/uptime
echo "$CMD_UPTIME" >"$CTL/cmd-start-uptime"
debug "running: ${ARGV[*]}"
env -i "${CMD_ENV[@]}" "${ARGV[@]}" </dev/null >&3 2>&4
rc=$?
read -r END_UPTIME _ </proc/uptime
echo "$END_UPTIME" >"$CTL/cmd-end-uptime"
debug "command exited with $rc"

# Let the copiers drain; a background process that still holds the
# command's stdout/stderr must not keep the VM up forever.
exec 3>&- 4>&-
for _ in $(seq 50); do
	kill -0 "$OUT_PID" 2>/dev/null || kill -0 "$ERR_PID" 2>/dev/null || break
	sleep 0.1
done
kill "$OUT_PID" "$ERR_PID" 2>/dev/null
wait "$OUT_PID" "$ERR_PID" 2>/dev/null
finish "$rc"
}
