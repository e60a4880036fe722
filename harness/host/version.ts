/** isobench's own version, from its package.json. */
import { readFileSync } from 'node:fs';

/**
 * Looked up relative to this module rather than the working directory: from source this file
 * is harness/host/ (package.json two levels up), once built it is dist/harness/host/ (three).
 */
export function isobenchVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'isobench' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not there at this depth: try the next.
    }
  }
  return 'unknown';
}
