/**
 * ci/kernel-vm/run's accelerator choice, on real VMs: the stand-in qemu in testdata/kvm-aborts aborts
 * under KVM as qemu did on a nested cloud VM (issue 10: "failed to set MSR 0x10a"), at the probe or
 * only at the real boot; `--accel auto` must then run the command under TCG and say so, `--accel kvm`
 * must fail. Without the stand-in, this host's own KVM decides, and the guest confirms the choice.
 */
import {
  accessSync,
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { itWhen, ROOT } from '../../harness/testing/support.js';

const RUN = join(ROOT, 'ci/kernel-vm/run');
const STANDIN_DIR = join(ROOT, 'ci/kernel-vm/testdata/kvm-aborts');
const MSR = 'failed to set MSR 0x10a to 0x69';
// A TCG boot takes 11-35 s on this 2-core host; generous bounds so a loaded machine does not fail us.
const VM_TIMEOUT_S = 600;
const TEST_TIMEOUT_MS = 2 * VM_TIMEOUT_S * 1000 + 60_000;

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function missingVm(): string | null {
  if (process.getuid?.() !== 0) return 'not root (ci/kernel-vm/run reads /boot/vmlinuz-* and apt-installs)';
  if (!onPath('qemu-system-x86_64'))
    return 'qemu-system-x86_64 is not on PATH (apt-get install qemu-system-x86)';
  return null;
}

/** Whether this process can open /dev/kvm read-write, as qemu -accel kvm must. */
function kvmDeviceUsable(): boolean {
  try {
    if (!statSync('/dev/kvm').isCharacterDevice()) return false;
    closeSync(openSync('/dev/kvm', 'r+'));
    return true;
  } catch {
    return false;
  }
}

const vmIt = itWhen(missingVm());

describe('ci/kernel-vm/run --accel', () => {
  let dir = '';
  let startsLog = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'isobench-accel-test-'));
    startsLog = join(dir, 'qemu-starts');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** ci/kernel-vm/run ARGS with the stand-in first on PATH (mode: what aborts under KVM). */
  function runWithStandIn(mode: 'always' | 'boot' | 'started', args: string[]) {
    return execa(RUN, ['--timeout', String(VM_TIMEOUT_S), ...args], {
      reject: false,
      cwd: ROOT,
      env: {
        PATH: `${STANDIN_DIR}${delimiter}${process.env.PATH ?? ''}`,
        STANDIN_KVM_ABORT: mode,
        STANDIN_LOG: startsLog,
      },
    });
  }

  /** The qemu starts the stand-in saw, in order: "<accel> <probe|boot>". */
  function starts(): string[] {
    try {
      return readFileSync(startsLog, 'utf8').trim().split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  const lines = (text: string) => text.split('\n');

  vmIt(
    'auto: a probe that aborts under KVM falls back to TCG, where the command runs and its status comes back',
    async () => {
      const proc = await runWithStandIn('always', ['--accel', 'auto', '--', 'sh', '-c', 'exit 7']);
      expect(proc.exitCode, proc.stderr).toBe(7);
      expect(lines(proc.stderr)).toContain(
        `[kernel-vm] KVM probe failed (qemu exit 134: ${MSR}); falling back to TCG`,
      );
      expect(starts()).toEqual(['kvm probe', 'tcg boot']);
    },
    TEST_TIMEOUT_MS,
  );

  vmIt(
    'auto: a KVM boot that aborts after a passing probe is booted again, fresh, under TCG',
    async () => {
      const proc = await runWithStandIn('boot', ['--accel', 'auto', '--', 'sh', '-c', 'exit 7']);
      expect(proc.exitCode, proc.stderr).toBe(7);
      expect(lines(proc.stderr)).toContain(
        `[kernel-vm] KVM boot aborted (qemu exit 134: ${MSR}); falling back to TCG`,
      );
      expect(starts()).toEqual(['kvm probe', 'kvm boot', 'tcg boot']);
    },
    TEST_TIMEOUT_MS,
  );

  vmIt(
    'auto: a KVM boot that aborts after the command started is an error, not a second run under TCG',
    async () => {
      const proc = await runWithStandIn('started', [
        '--accel',
        'auto',
        '--',
        'sh',
        '-c',
        'sleep 120; exit 7',
      ]);
      expect(proc.exitCode, proc.stderr).toBe(125);
      expect(lines(proc.stderr)).toContain(
        `[kernel-vm] error: KVM boot aborted (qemu exit 134: ${MSR}) after the command had started; not running it again`,
      );
      expect(proc.stderr).not.toContain('falling back');
      expect(starts()).toEqual(['kvm probe', 'kvm boot']);
    },
    TEST_TIMEOUT_MS,
  );

  vmIt(
    'kvm: an abort is an error (exit 125 with qemu message), with no probe and no TCG boot',
    async () => {
      const proc = await runWithStandIn('always', ['--accel', 'kvm', '--', 'sh', '-c', 'exit 7']);
      expect(proc.exitCode, proc.stderr).toBe(125);
      const err = lines(proc.stderr);
      expect(err).toContain(
        `[kernel-vm] error: KVM boot aborted (qemu exit 134: ${MSR}); --accel kvm does not fall back to TCG (--accel auto does)`,
      );
      expect(err).toContain(`[qemu] qemu-system-x86_64: error: ${MSR}`);
      expect(proc.stderr).not.toContain('falling back');
      expect(starts()).toEqual(['kvm boot']);
    },
    TEST_TIMEOUT_MS,
  );

  vmIt(
    'tcg: KVM is never started, not even for a probe',
    async () => {
      // An option qemu rejects ends the boot at once: what counts here is what was started.
      const proc = await runWithStandIn('always', [
        '--accel',
        'tcg',
        '--qemu-arg',
        '-isobench-no-such-option',
        '--',
        'true',
      ]);
      expect(proc.exitCode, proc.stderr).toBe(125);
      expect(proc.stderr).toContain('-isobench-no-such-option');
      expect(starts()).toEqual(['tcg boot']);
    },
    TEST_TIMEOUT_MS,
  );

  vmIt(
    "auto with this host's qemu: the accelerator it names is the one the guest kernel saw",
    async () => {
      const proc = await execa(
        RUN,
        [
          '--verbose',
          '--timeout',
          String(VM_TIMEOUT_S),
          '--accel',
          'auto',
          '--',
          'sh',
          '-c',
          'dmesg | grep -c "Hypervisor detected: KVM"; exit 7',
        ],
        { reject: false, cwd: ROOT },
      );
      expect(proc.exitCode, proc.stderr).toBe(7);
      // One "accelerator:" line per boot; the last one ran the command.
      const named = [...proc.stderr.matchAll(/^\[kernel-vm\] accelerator: (kvm|tcg)$/gm)].map((m) => m[1]);
      expect(named.length).toBeGreaterThan(0);
      const accel = named.at(-1);
      // Linux prints "Hypervisor detected: KVM" when it finds KVM's CPUID signature, which TCG lacks.
      expect(proc.stdout.trim()).toBe(accel === 'kvm' ? '1' : '0');
      if (accel === 'tcg' && kvmDeviceUsable()) {
        // KVM was there and not used: run must have said why.
        expect(proc.stderr).toMatch(
          /^\[kernel-vm\] KVM (probe failed|boot aborted) .*; falling back to TCG$/m,
        );
      }
    },
    TEST_TIMEOUT_MS,
  );
});
