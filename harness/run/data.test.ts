import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/parse.js';
import { planRun } from '../scenario/plan.js';
import { freshData } from './data.js';
import type { Prepared } from './prepare.js';

const dir = mkdtempSync(join(tmpdir(), 'isobench-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const t = planRun(
  parseScenario(
    'name: d\nduration: 1s\nrepetitions: 2\ncontainers:\n  db: { workload: db }\n  web: { workload: web, load: { rate: 10 }, params: { mode: pagecache } }\n  io: { workload: io }\n',
    { file: 'd.yaml' },
  ),
  { seed: 1 },
).trials.find((x) => x.containers.length === 3);

describe('freshData', () => {
  it('copies the template per trial, shares a read-only template, gives an empty scratch dir, removes its own', async () => {
    if (!t) throw new Error('no colocated trial planned');
    const trialsRoot = join(dir, 'trials');
    const dbTemplate = join(dir, 'templates', 'db');
    const webTemplate = join(dir, 'templates', 'web');
    mkdirSync(dbTemplate, { recursive: true });
    mkdirSync(webTemplate, { recursive: true });
    writeFileSync(join(dbTemplate, 'kv.db'), 'rows');
    writeFileSync(join(webTemplate, 'web-data.bin'), Buffer.alloc(64 * 1024, 1));
    const prepared: Record<string, Prepared> = {
      db: { state: 'template', templateDir: dbTemplate, trialsRoot, device: null },
      web: { state: 'shared', templateDir: webTemplate, trialsRoot, device: null },
      io: { state: 'scratch', templateDir: null, trialsRoot, device: null },
    };
    const data = freshData(prepared, t, new AbortController().signal);
    await data.readyFor('db');
    const settled = await data.settled;
    expect(data.dirs.web).toBe(webTemplate);
    expect(data.dirs.db).toBe(join(trialsRoot, t.id, 'db'));
    expect(readFileSync(join(data.dirs.db as string, 'kv.db'), 'utf8')).toBe('rows');
    // The trial writes to its copy; the template, and so the next trial, never sees it.
    writeFileSync(join(data.dirs.db as string, 'kv.db'), 'rows and more');
    expect(readFileSync(join(dbTemplate, 'kv.db'), 'utf8')).toBe('rows');
    expect(existsSync(data.dirs.io as string)).toBe(true);
    expect(settled.dirtyBytes).not.toBeNull();
    await data.remove();
    expect(existsSync(join(trialsRoot, t.id))).toBe(false);
    expect(existsSync(join(dbTemplate, 'kv.db'))).toBe(true);
    expect(existsSync(join(webTemplate, 'web-data.bin'))).toBe(true);
  });
});
