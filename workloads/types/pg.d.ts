// Minimal declarations for the parts of pg we use: @types/pg is not a dependency. If it is
// added later, module resolution prefers it and this file is ignored.
declare module 'pg' {
  interface QueryResult<R = Record<string, unknown>> {
    rows: R[];
    rowCount: number | null;
  }
  interface ClientConfig {
    host?: string;
    port?: number;
    user?: string;
    database?: string;
    connectionTimeoutMillis?: number;
  }
  class Client {
    constructor(config?: ClientConfig);
    connect(): Promise<void>;
    query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
    end(): Promise<void>;
    on(event: 'error', listener: (err: Error) => void): this;
  }
  const pg: { Client: typeof Client };
  export default pg;
}
