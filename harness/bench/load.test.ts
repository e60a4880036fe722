/**
 * bench:load's figures as `npm run bench` rows: wrk2, where it ran, is a peer of the latency row
 * with its ratio; where it did not, the row says why, and nothing else changes.
 */
import { describe, expect, it } from 'vitest';
import { type LoadBenchFigures, lateStepsNote, loadRows } from './load.js';

const FIGURES: LoadBenchFigures = {
  throughputCeilingHz: 43_781,
  onScheduleCeilingHz: 43_781,
  wrkMaxHz: 58_520,
  steps: [{}, {}],
  halfRateHz: 21_890,
  correctedUs: { p50: 87, p99: 583 },
  uncorrectedUs: { p50: 74, p99: 311 },
  wrkFloorUs: { p50: 90, p99: 189 },
  cpuAt1000: { ownCores: 0.084, ownUsPerRequest: 84.4 },
};

function latencyRow(f: LoadBenchFigures) {
  const row = loadRows(f).find((r) => r.name === 'load-latency');
  if (row?.status !== 'ok') throw new Error('no load-latency row');
  return row;
}

describe('bench:load rows', () => {
  it('wrk2 at the same rate is a peer of the latency row, with its ratio and figures', () => {
    const row = latencyRow({ ...FIGURES, wrk2Us: { p50: 1230, p99: 3080, hz: 21_846 } });
    const wrk2 = row.peers.find((p) => p.name.startsWith('wrk2'));
    expect(wrk2).toMatchObject({ status: 'ok', median: 1.23, p99: 3.08 });
    expect(row.ratios[wrk2?.name ?? '']).toBeCloseTo(87 / 1230, 6);
    expect(row.ratios['wrk -t1 -c1']).toBeCloseTo(87 / 90, 6);
    expect(row.figures).toMatchObject({ wrk2P50Us: 1230, wrk2P99Us: 3080 });
  });

  it('without wrk2 (null, or a file from before it) the peer says why and has no ratio', () => {
    for (const f of [{ ...FIGURES, wrk2Us: null }, FIGURES]) {
      const row = latencyRow(f);
      const wrk2 = row.peers.find((p) => p.name.startsWith('wrk2'));
      expect(wrk2?.status).toBe('not-applicable');
      expect(wrk2?.status === 'not-applicable' ? wrk2.reason : '').toContain('not installed');
      expect(Object.keys(row.ratios)).toEqual(['wrk -t1 -c1']);
      expect(row.figures).not.toHaveProperty('wrk2P50Us');
    }
  });

  it('the steps more than 1% late are listed with their timer floor and steal, and counted', () => {
    const lateSteps = [
      { rateHz: 211, latePct: 2.21, floorLatePct: 1.9, stealMsPerS: 12 },
      { rateHz: 6091, latePct: 7.75, floorLatePct: 0.4, stealMsPerS: 3.5 },
    ];
    const row = loadRows({ ...FIGURES, lateSteps }).find((r) => r.name === 'load-ceiling');
    const note =
      row?.status === 'ok' ? row.notes.find((n) => n.startsWith('steps more than 1% late')) : undefined;
    expect(note).toBe(
      'steps more than 1% late: 211/s 2.21% (timer floor 1.90%, steal 12.0 ms/s); 6091/s 7.75% (timer floor 0.40%, steal 3.5 ms/s); 1 of 2 with the timer floor within 1%',
    );
    expect(lateStepsNote([])).toBe('no step that kept up sent more than 1% late');
  });
});
