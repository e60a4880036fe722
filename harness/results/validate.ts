/** Renders zod issues the way isobench errors quote bad values: `path: message`. */
import type { z } from 'zod';

/** `trials[3].containers[0].cgroup.cpuUsageUs`. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(top level)';
}

/** The first few issues, joined: enough to find the fault without flooding the terminal. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], max = 5): string {
  const shown = issues.slice(0, max).map((i) => `${issuePath(i.path)}: ${i.message}`);
  const more = issues.length > max ? ` (and ${issues.length - max} more)` : '';
  return `${shown.join('; ')}${more}`;
}
