/**
 * What the transaction driver needs from a database. Calls may return a value or a promise:
 * better-sqlite3 is synchronous, pg is not, and the driver awaits both.
 */
export interface DbEngine {
  readonly name: 'sqlite' | 'postgres';
  /** Highest row id present; point reads pick ids in 1..maxId, inserts use maxId + 1. */
  maxId: number;
  begin(): unknown;
  read(id: number): unknown;
  insert(id: number, payload: Buffer): unknown;
  update(id: number, payload: Buffer): unknown;
  commit(): unknown;
  close(): Promise<void>;
  /** Engine-specific figures for the metrics line (file sizes, server pid ...). */
  describe(): Record<string, unknown>;
}

export interface DbSetup {
  dataDir: string;
  rows: number;
  rowBytes: number;
  log: (message: string) => void;
}

/** A pool of random bytes: payloads are slices of it, cheap to make and incompressible. */
export class PayloadSource {
  private readonly pool: Buffer;
  constructor(private readonly rowBytes: number) {
    this.pool = Buffer.allocUnsafe(Math.max(1024 * 1024, rowBytes * 2));
    for (let i = 0; i < this.pool.length; i += 4) this.pool.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
  }
  next(): Buffer {
    const start = Math.floor(Math.random() * (this.pool.length - this.rowBytes));
    return this.pool.subarray(start, start + this.rowBytes);
  }
}
