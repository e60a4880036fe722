/**
 * One error type per failure family, each with a stable `code`, a message that
 * quotes the bad value, and an optional `cause`.
 *
 * - `UsageError` (exit 2): the user asked for something invalid; nothing was created.
 * - `HostError` (exit 2): the host cannot do what was asked (no block device, no
 *   controller, not root); nothing was created.
 * - `CgroupError` (exit 125): the kernel refused an operation mid-way (125, as timeout(1) and
 *   docker use for "the tool itself failed", so it is not taken for the command's own status).
 */
export class IsobenchError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options?.exitCode ?? 1;
  }
}

export class UsageError extends IsobenchError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, exitCode: 2 });
  }
}

export class HostError extends IsobenchError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, exitCode: 2 });
  }
}

export class CgroupError extends IsobenchError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, exitCode: 125 });
  }
}

/**
 * How every command prints an IsobenchError on stderr: `isobench: CODE: message`, each line of
 * a multi-line message (a scenario's issues) on its own line with the same prefix, so the code
 * can be looked up in the README's table and grepped per line.
 */
export function formatError(err: IsobenchError, program = 'isobench'): string {
  return err.message
    .split('\n')
    .map((line) => `${program}: ${err.code}: ${line}\n`)
    .join('');
}

/**
 * What the command's entry points do with an error that reached them: an IsobenchError is printed
 * with its code and sets its exit status; anything else is an internal error (exit 125, with the
 * stack). Returns the exit status.
 */
export function reportError(err: unknown): number {
  if (err instanceof IsobenchError) {
    process.stderr.write(formatError(err));
    return err.exitCode;
  }
  process.stderr.write(
    `isobench: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return 125;
}

/** `errno` code of a Node system error, or undefined. */
export function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

/** Renders a value the way error messages quote it: strings in double quotes, the rest as JSON. */
export function quote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${JSON.stringify(value)} (${typeof value})`;
}
