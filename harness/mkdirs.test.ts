import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDirs } from './mkdirs.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'isobench-mkdirs-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('makeDirs', () => {
  it('creates a folder and its missing parents, and accepts one that exists', () => {
    const dir = join(root, 'a', 'b', 'c');
    makeDirs(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    makeDirs(dir);
    mkdirSync(join(dir, 'd'));
    makeDirs(join(dir, 'd'));
    expect(statSync(join(dir, 'd')).isDirectory()).toBe(true);
  });

  it("throws the kernel's errno for the component it refused", () => {
    writeFileSync(join(root, 'file'), '');
    const err = (() => {
      try {
        makeDirs(join(root, 'file', 'x', 'y'));
      } catch (e) {
        return e as NodeJS.ErrnoException;
      }
      throw new Error('expected an error');
    })();
    expect(err.code).toBe('ENOTDIR');
    expect(err.path).toBe(join(root, 'file', 'x'));
  });
});
