import { describe, expect, it } from 'vitest';
import { parseVariants } from './variants.js';

describe('--variant', () => {
  it('groups settings by name, keeps order, allows a bare baseline', () => {
    expect(
      parseVariants([
        'a',
        'b:containers.db.limits.io.max.wbps=5MiB',
        'b:containers.web.limits.cpu.weight=400',
      ]),
    ).toEqual([
      { name: 'a', set: [] },
      { name: 'b', set: ['containers.db.limits.io.max.wbps=5MiB', 'containers.web.limits.cpu.weight=400'] },
    ]);
  });
  it.each([
    ['B:x=1', /"B:x=1"/],
    ['a:nonsense', /NAME:PATH=VALUE/],
  ])('refuses %j', (arg, msg) => {
    expect(() => parseVariants([arg, 'c'])).toThrow(msg);
  });
  it('needs two variants', () => {
    expect(() => parseVariants(['a:x=1'])).toThrow(/at least two/);
  });
});
