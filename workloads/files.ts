import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';

/**
 * Creates `path` or extends it to at least `bytes` with non-zero data (a sparse file would be
 * served from the zero page without touching the page cache or disk). Returns bytes written.
 */
export function ensureFilledFile(path: string, bytes: number): number {
  const fd = openSync(path, 'a+');
  try {
    let size = fstatSync(fd).size;
    const block = Buffer.alloc(1024 * 1024, 0x5a);
    const start = size;
    while (size < bytes) {
      const n = Math.min(block.length, bytes - size);
      writeSync(fd, block, 0, n, size);
      size += n;
    }
    return size - start;
  } finally {
    closeSync(fd);
  }
}
