import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignalRelay } from './exec.js';

describe('SignalRelay (signals to isobench exec)', () => {
  let forwarded: NodeJS.Signals[];
  let kills: number;
  let relay: SignalRelay;
  beforeEach(() => {
    vi.useFakeTimers();
    forwarded = [];
    kills = 0;
    relay = new SignalRelay({ forward: (s) => forwarded.push(s), killAll: () => kills++, graceMs: 10_000 });
  });
  afterEach(() => vi.useRealTimers());

  it('holds a signal that comes before the container exists, instead of dropping it', () => {
    relay.receive('SIGINT');
    relay.receive('SIGTERM');
    expect(relay.held()).toBe('SIGINT');
    expect(forwarded).toEqual([]);
    expect(kills).toBe(0);
  });

  it('delivers the held signal once the container is there, then kills after the grace', () => {
    relay.receive('SIGTERM');
    relay.started();
    expect(forwarded).toEqual(['SIGTERM']);
    expect(relay.held()).toBeNull();
    vi.advanceTimersByTime(9_999);
    expect(kills).toBe(0);
    vi.advanceTimersByTime(1);
    expect(kills).toBe(1);
  });

  it('forwards the first signal to a running container and kills at the second', () => {
    relay.started();
    expect(forwarded).toEqual([]);
    relay.receive('SIGINT');
    expect(forwarded).toEqual(['SIGINT']);
    expect(kills).toBe(0);
    relay.receive('SIGINT');
    expect(forwarded).toEqual(['SIGINT']);
    expect(kills).toBe(1);
  });
});
