/**
 * `mkdir -p` that keeps the kernel's reason. Node's `mkdirSync(dir, { recursive: true })` turns a
 * refusal into ENOENT: when mkdir(2) fails with an errno it does not expect (EROFS on a read-only
 * mount, EACCES), it stats the path, and the stat's ENOENT (the folder is not there: it could not
 * be made) is what it throws (nodejs/node#47098, #31481; seen as "ENOENT: no such file or
 * directory, mkdir ..." for an --out under a read-only mount). Here each missing folder is made by
 * its own mkdir(2), so the error is the kernel's and names the folder it refused.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { errnoOf } from './errors.js';

/** Creates `dir` and its missing parents, outermost first. */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let p = resolve(dir); !existsSync(p); p = dirname(p)) {
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const m of missing) {
    try {
      mkdirSync(m);
    } catch (err) {
      // Made meanwhile by someone else (another run into the same tree): as good as made here.
      if (errnoOf(err) === 'EEXIST' && statSync(m).isDirectory()) continue;
      throw err;
    }
  }
}
