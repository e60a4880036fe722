#!/usr/bin/env bash
# Self-test of ci/kernel-vm/run: boots once and checks, inside the guest,
# pure cgroup v2 with controllers, the scratch disk and io.max, the writable
# project overlay, node and vitest, loopback networking, env passthrough; on
# the host, stdout/stderr passthrough without CRs and exit-status propagation
# (the guest part exits 7 on purpose); shows how the accelerator was chosen.
#   ci/kernel-vm/selftest.sh [run options, e.g. --kernel PATH]
# ok/bad/hok/hbad always succeed, so "A && ok || bad" is safe here:
# shellcheck disable=SC2015
set -uo pipefail

# ------------------------------------------------------------ guest side
if [[ ${1:-} == --guest ]]; then
	fails=0
	ok() { echo "ok   $*"; }
	bad() {
		echo "FAIL $*"
		fails=$((fails + 1))
	}
	check() { # check DESCRIPTION COMMAND...
		local d=$1
		shift
		if "$@" >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi
	}

	echo "selftest-stdout-marker"
	echo "selftest-stderr-marker" >&2
	echo "kernel: $(uname -r), cpus: $(nproc), mem: $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)"

	# cgroup v2 only
	echo "cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
	v1=$(awk '$3 == "cgroup"' /proc/mounts | wc -l)
	[[ $v1 == 0 ]] && ok "no cgroup v1 hierarchy mounted" || bad "cgroup v1 mounts: $v1"
	[[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]] && ok "/sys/fs/cgroup is cgroup2" || bad "/sys/fs/cgroup is $(stat -fc %T /sys/fs/cgroup)"
	for c in cpuset cpu io memory pids; do
		grep -qw "$c" /sys/fs/cgroup/cgroup.controllers && ok "controller $c available" || bad "controller $c missing"
	done
	if echo "+cpu +memory +io +pids +cpuset" >/sys/fs/cgroup/cgroup.subtree_control; then
		ok "enabled +cpu +memory +io +pids +cpuset: subtree_control = $(cat /sys/fs/cgroup/cgroup.subtree_control)"
	else
		bad "writing cgroup.subtree_control"
	fi
	cg=/sys/fs/cgroup/kvm-selftest
	mkdir -p $cg
	for f in cpu.max cpu.weight memory.max memory.high io.max io.weight pids.max cpuset.cpus cpu.pressure memory.pressure io.pressure cgroup.kill; do
		[[ -e $cg/$f ]] || bad "missing $cg/$f"
	done
	ok "child cgroup has cpu/memory/io/pids/cpuset/PSI files and cgroup.kill"
	check "/proc/pressure/{cpu,memory,io} readable" cat /proc/pressure/cpu /proc/pressure/memory /proc/pressure/io
	check "root io.stat readable" cat /sys/fs/cgroup/io.stat
	check "root cpu.stat readable" cat /sys/fs/cgroup/cpu.stat

	# memory.max enforced: a process that allocates more is OOM-killed
	echo 64M >$cg/memory.max
	(echo $BASHPID >$cg/cgroup.procs && exec node -e 'const a=[]; for(;;) a.push(Buffer.alloc(1<<20, 1))') 2>/dev/null
	rc=$?
	oom=$(awk '/^oom_kill / {print $2}' $cg/memory.events)
	[[ $rc == 137 && $oom -ge 1 ]] && ok "memory.max 64M: node OOM-killed (exit $rc, oom_kill $oom)" ||
		bad "memory.max: exit $rc oom_kill $oom"
	echo max >$cg/memory.max

	# the scratch disk
	echo "ISOBENCH_TEST_IO_PATH=${ISOBENCH_TEST_IO_PATH:-unset}"
	dev=$(findmnt -no SOURCE "${ISOBENCH_TEST_IO_PATH:-/nonexistent}" 2>/dev/null)
	majmin=$(cat "/sys/block/${dev#/dev/}/dev" 2>/dev/null)
	grep -qw "${dev#/dev/}" /proc/partitions && ok "disk $dev ($majmin, $(findmnt -no FSTYPE "$ISOBENCH_TEST_IO_PATH")) in /proc/partitions" ||
		bad "disk not in /proc/partitions"
	check "disk writable (8 MiB O_DIRECT)" dd if=/dev/zero of="$ISOBENCH_TEST_IO_PATH/f" bs=1M count=8 oflag=direct
	echo "$majmin wbps=2097152" >$cg/io.max && ok "io.max set: $(cat $cg/io.max)" || bad "io.max write"
	t0=$(date +%s.%N)
	(echo $BASHPID >$cg/cgroup.procs && exec dd if=/dev/zero of="$ISOBENCH_TEST_IO_PATH/g" bs=1M count=6 oflag=direct 2>/dev/null)
	t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
	awk -v s="$secs" 'BEGIN {exit !(s >= 1.5)}' && ok "io.max wbps=2MiB/s: 6 MiB O_DIRECT took $secs s" ||
		bad "io.max not enforced: 6 MiB took $secs s"
	grep "^$majmin " $cg/io.stat >/dev/null && ok "io.stat: $(grep "^$majmin " $cg/io.stat)" || bad "no $majmin line in io.stat"
	rmdir $cg || bad "rmdir $cg"

	# writable places
	check "project dir writable (overlay)" sh -c 'mkdir -p results && echo x > results/.kernel-vm-selftest && rm results/.kernel-vm-selftest && touch .kernel-vm-selftest'
	echo "project dir mount: $(findmnt -no FSTYPE,OPTIONS "$PWD" | cut -c1-60)..."
	# shellcheck disable=SC2016
	check "HOME=/root writable" sh -c 'echo x > "$HOME/.x"'
	check "/tmp and /var/tmp writable" sh -c 'echo x > /tmp/x && echo x > /var/tmp/x'
	[[ $(findmnt -no FSTYPE /) == 9p ]] && findmnt -no OPTIONS / | grep -qw ro && ok "root filesystem is 9p, read-only" || bad "root is $(findmnt -no FSTYPE,OPTIONS /)"

	# env
	[[ ${ISOBENCH_SELFTEST_VAR:-} == "a b" ]] && ok "ISOBENCH_* passed through" || bad "ISOBENCH_SELFTEST_VAR=${ISOBENCH_SELFTEST_VAR:-unset}"
	[[ $HOME == /root && $TERM == dumb ]] && ok "HOME=$HOME TERM=$TERM" || bad "HOME=$HOME TERM=$TERM"

	# node, loopback, vitest
	t0=$(date +%s.%N)
	out=$(node -e 'console.log(1)' 2>&1)
	t1=$(date +%s.%N)
	[[ $out == 1 ]] && ok "node -e 'console.log(1)' -> $out ($(node --version), $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s)" ||
		bad "node: $out"
	out=$(node -e '
		const http = require("http");
		const s = http.createServer((q, r) => r.end("pong")).listen(0, "127.0.0.1", () => {
			http.get({ host: "127.0.0.1", port: s.address().port }, (r) => {
				let b = ""; r.on("data", (d) => (b += d)); r.on("end", () => { console.log(b); s.close(); });
			});
		});' 2>&1)
	[[ $out == pong ]] && ok "loopback HTTP on 127.0.0.1" || bad "loopback: $out"
	t0=$(date +%s.%N)
	out=$(npx vitest --version 2>&1)
	t1=$(date +%s.%N)
	[[ $out == *vitest* ]] && ok "npx vitest --version -> $out ($(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s)" ||
		bad "npx vitest --version: $out"
	check "unshare pid/mount/net namespaces" unshare --fork --pid --mount-proc --uts --ipc --net true

	echo "guest checks failed: $fails"
	[[ $fails == 0 ]] || exit 1
	exit 7
fi

# ------------------------------------------------------------ host side
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
cd "$SELF_DIR/../.." || exit 2
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
fails=0
hok() { echo "ok   (host) $*"; }
hbad() {
	echo "FAIL (host) $*"
	fails=$((fails + 1))
}

t0=$(date +%s.%N)
ISOBENCH_SELFTEST_VAR="a b" "$SELF_DIR/run" --verbose "$@" -- "$SELF_DIR/selftest.sh" --guest >"$OUT/stdout" 2>"$OUT/stderr"
rc=$?
t1=$(date +%s.%N)
cat "$OUT/stdout"
grep -E '^\[kernel-vm\] (timing|accelerator|kernel |KVM )' "$OUT/stderr"

[[ $rc == 7 ]] && hok "exit status propagated (7)" || {
	hbad "exit status $rc, expected 7"
	sed 's/^/  stderr: /' "$OUT/stderr" | tail -n 60
}
grep -qx selftest-stdout-marker "$OUT/stdout" && hok "stdout passed through" || hbad "stdout marker missing"
grep -qx selftest-stderr-marker "$OUT/stderr" && hok "stderr passed through" || hbad "stderr marker missing"
if grep -q $'\r' "$OUT/stdout" "$OUT/stderr"; then hbad "CR characters in output"; else hok "no CR characters in output"; fi
grep -q 'guest checks failed: 0' "$OUT/stdout" && hok "all guest checks passed" || hbad "guest checks failed"
[[ -e .kernel-vm-selftest ]] && hbad "guest write leaked to the host project dir" || hok "guest writes stayed in the VM"
echo "end-to-end: $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s"
echo "selftest: $([[ $fails == 0 ]] && echo PASSED || echo "FAILED ($fails)")"
[[ $fails == 0 ]]
