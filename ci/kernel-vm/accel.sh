# shellcheck shell=bash
# Accelerator choice for ci/kernel-vm/run (sourced by it; uses its MACHINE,
# CPUS, MEMORY, BOOT_KERNEL, CACHE_DIR, QEMU_PID, log and debug). See README.md, "Accelerator".
#
# `-accel kvm -machine none` starts without creating a vCPU, so it passes on
# hosts where the real boot then aborts: QEMU writes the vCPU MSRs (e.g. 0x10a,
# IA32_ARCH_CAPABILITIES, from `-cpu host`) when it creates and resets the
# vCPUs of the real machine type, and a nested KVM that rejects one makes
# kvm_buf_set_msrs() assert (exit 134). Other nested KVMs create the vCPUs
# fine and then crawl: the kernel stalls early in its boot. The probe below
# meets both: it boots the real kernel with the real -machine, -cpu, -smp and
# -m, under a deadline.

# The probe kernel has no initrd and no root device: it runs all its
# initcalls, panics at the root mount (panic=-1: reboot at once), and qemu
# -no-reboot exits 0. That takes 7-9 s under TCG on a 2-core host; a KVM that
# cannot do it in 10 s is no faster than TCG, so TCG loses nothing. On a host
# where KVM stalls this deadline is the probe's cost, once per host boot (see
# kvm_stall_marker).
KVM_PROBE_TIMEOUT_S=10

cpu_model_for() { # ACCEL: -cpu host needs KVM; max is everything TCG emulates
	if [[ $1 == kvm ]]; then echo host; else echo max; fi
}

# "qemu exit N: <qemu's first error line>", for a one-line report.
qemu_failure_reason() { # QEMU_STDERR_FILE QEMU_EXIT
	local line
	line=$(grep -m 1 -i 'error' "$1" 2>/dev/null || head -n 1 "$1" 2>/dev/null || true)
	line=$(printf '%s' "$line" | sed -E 's/^[^ ]*qemu-system-x86_64: //; s/^error: //')
	echo "qemu exit $2${line:+: $line}"
}

# Boots BOOT_KERNEL under KVM as described above, in DIR (removed after).
# Returns 0 if it got through; else 1 with KVM_PROBE_REASON set. qemu runs in
# the background as QEMU_PID, so run's cleanup trap can stop it.
KVM_PROBE_REASON=
KVM_PROBE_STALLED=0
kvm_probe() { # DIR
	local dir=$1 rc=0 t0
	mkdir -p "$dir"
	t0=$(date +%s.%N)
	timeout --kill-after=5 "$KVM_PROBE_TIMEOUT_S" qemu-system-x86_64 -nodefaults -no-user-config -no-reboot \
		-machine "$MACHINE" -accel kvm -cpu "$(cpu_model_for kvm)" -smp "$CPUS" -m "$MEMORY" \
		-display none -vga none -monitor none -kernel "$BOOT_KERNEL" \
		-append "console=ttyS0 quiet loglevel=1 panic=-1 no_timer_check" \
		-serial "file:$dir/console.log" </dev/null >/dev/null 2>"$dir/qemu.err" &
	QEMU_PID=$!
	wait "$QEMU_PID" || rc=$?
	QEMU_PID=
	debug "KVM probe: qemu exit $rc after $(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }') s"
	if [[ $rc == 0 ]]; then
		KVM_PROBE_REASON=
	elif [[ $rc == 124 || $rc == 137 ]]; then
		KVM_PROBE_STALLED=1
		KVM_PROBE_REASON="the kernel did not boot within $KVM_PROBE_TIMEOUT_S s under KVM"
	else
		KVM_PROBE_REASON=$(qemu_failure_reason "$dir/qemu.err" "$rc")
	fi
	rm -rf "$dir"
	[[ $rc == 0 ]]
}

# A probe that ran into its deadline cost KVM_PROBE_TIMEOUT_S, and would again
# on this host until it reboots: its verdict is kept in a marker file named
# after the host boot, the qemu binary, the kernel, machine, CPUs and memory.
# An abort costs nothing to probe again and is not kept. Prints the path.
kvm_stall_marker() {
	local qemu boot_id
	qemu=$(command -v qemu-system-x86_64) && boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null) || return 1
	printf '%s\n' "$boot_id" "$(stat -L -c '%n %s %Y %i' "$qemu")" "$BOOT_KERNEL" "$MACHINE" "$CPUS" "$MEMORY" |
		sha256sum | cut -c1-16 | sed "s|^|$CACHE_DIR/kvm-stalled-|"
}

# --accel auto: sets ACCEL to kvm if the probe gets through, else tcg. Says
# why on stderr unless KVM is simply not there (no /dev/kvm we can open, and
# qemu refused to start rather than crashed), the ordinary case on most hosts.
# shellcheck disable=SC2034  # ACCEL is run's
choose_auto_accel() { # PROBE_DIR
	local marker
	marker=$(kvm_stall_marker) || marker=
	if [[ -n $marker && -s $marker ]]; then
		ACCEL=tcg
		log "KVM probe failed earlier in this host boot ($(cat "$marker"); $marker); falling back to TCG"
		return
	fi
	if kvm_probe "$1"; then
		ACCEL=kvm
		return
	fi
	ACCEL=tcg
	if [[ $KVM_PROBE_STALLED == 1 && -n $marker ]]; then
		mkdir -p "$CACHE_DIR"
		rm -f "$CACHE_DIR"/kvm-stalled-*
		echo "$KVM_PROBE_REASON" >"$marker.$$" && mv -f "$marker.$$" "$marker"
	fi
	# [[ -c ]] first: <> would create a missing /dev/kvm as a plain file.
	if ! { [[ -c /dev/kvm ]] && (: <>/dev/kvm) 2>/dev/null; } && [[ $KVM_PROBE_REASON =~ ^qemu\ exit\ ([0-9]+) ]] &&
		((BASH_REMATCH[1] < 128)); then
		debug "no usable /dev/kvm ($KVM_PROBE_REASON)"
	else
		log "KVM probe failed ($KVM_PROBE_REASON); falling back to TCG"
	fi
}
