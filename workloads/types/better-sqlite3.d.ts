// Minimal declarations for the parts of better-sqlite3 we use: @types/better-sqlite3 is not a
// dependency. If it is added later, module resolution prefers it and this file is ignored.
declare module 'better-sqlite3' {
  interface RunResult {
    changes: number;
    lastInsertRowid: number | bigint;
  }
  interface Statement {
    run(...params: unknown[]): RunResult;
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
  }
  interface Database {
    prepare(sql: string): Statement;
    exec(sql: string): this;
    pragma(source: string, options?: { simple?: boolean }): unknown;
    transaction<F extends (...args: never[]) => unknown>(fn: F): F;
    close(): this;
    readonly inTransaction: boolean;
  }
  interface DatabaseConstructor {
    new (filename: string, options?: { readonly?: boolean; timeout?: number }): Database;
  }
  const Database: DatabaseConstructor;
  export default Database;
}
