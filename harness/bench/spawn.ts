/** Running a peer tool to its end: a failure carries the tool's own first line of stderr. */
import { execFile } from 'node:child_process';

export class PeerFailed extends Error {}

/** Runs `cmd args` to its end; rejects with PeerFailed (its stderr's first line) on a non-zero exit. */
export function runToEnd(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return reject(new PeerFailed(`${cmd} is not installed`));
        const first =
          stderr
            .trim()
            .split('\n')
            .find((l) => l.trim()) ?? err.message;
        reject(new PeerFailed(`${cmd} failed: ${first.trim()}`));
      },
    );
  });
}

/**
 * One probe run of a peer: null when it works, else the reason it is not applicable here
 * (missing, or refusing the host as crun does on hybrid cgroups).
 */
export async function probe(run: () => Promise<unknown>): Promise<string | null> {
  try {
    await run();
    return null;
  } catch (err) {
    if (err instanceof PeerFailed) return err.message;
    throw err;
  }
}
