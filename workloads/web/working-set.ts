import { closeSync, openSync, readSync } from 'node:fs';
import { ensureFilledFile } from '../files.js';

export const PAGE_BYTES = 4096;

/** Memory the web server touches per request: anonymous heap, or a file read through the page cache. */
export interface WorkingSet {
  readonly bytes: number;
  /** Touches `pages` random 4 KiB pages; returns a checksum so the reads cannot be optimised away. */
  touchPages(pages: number): number;
  close(): void;
}

/**
 * 64 MiB chunks rather than one Buffer: a single Buffer is capped by kMaxLength and one huge
 * allocation would fail on fragmented address space for no benefit.
 */
const CHUNK_BYTES = 64 * 1024 * 1024;

export class HeapWorkingSet implements WorkingSet {
  readonly bytes: number;
  private readonly chunks: Buffer[] = [];

  constructor(bytes: number) {
    this.bytes = Math.max(PAGE_BYTES, bytes - (bytes % PAGE_BYTES));
    for (let left = this.bytes; left > 0; left -= CHUNK_BYTES) {
      const chunk = Buffer.allocUnsafeSlow(Math.min(CHUNK_BYTES, left));
      // One byte written per page (not Buffer.alloc, which may get lazily-zeroed pages from
      // calloc/mmap) makes the whole set resident before ready, so RSS and memory.current show
      // it: the page fault allocates and zeroes the whole page. Requests read and write one byte
      // per page, so the rest of its content never matters; filling every byte cost 25-40 ms more
      // of every trial's start here (256 MiB: 145-187 ms against 121-159 ms), as the memory
      // antagonist already does it.
      for (let at = 0; at < chunk.length; at += PAGE_BYTES) chunk[at] = 0xa5;
      this.chunks.push(chunk);
    }
  }

  touchPages(pages: number): number {
    const totalPages = this.bytes / PAGE_BYTES;
    const pagesPerChunk = CHUNK_BYTES / PAGE_BYTES;
    let sum = 0;
    for (let i = 0; i < pages; i++) {
      const page = Math.floor(Math.random() * totalPages);
      const chunk = this.chunks[Math.floor(page / pagesPerChunk)];
      if (!chunk) continue;
      const offset = (page % pagesPerChunk) * PAGE_BYTES;
      // Read one cache line and dirty the page: a reclaimed page must come back on the next touch.
      sum += chunk[offset] ?? 0;
      chunk[offset] = (sum & 0xff) | 1;
    }
    return sum;
  }

  close(): void {
    this.chunks.length = 0;
  }
}

/**
 * A file read with pread at random page offsets: each read is served from the page cache if the
 * page is cached and from disk otherwise, which is what makes this mode sensitive to memory.max
 * (page cache is charged to the cgroup) and to neighbours evicting it.
 */
export class PageCacheWorkingSet implements WorkingSet {
  readonly bytes: number;
  private readonly fd: number;
  private readonly page = Buffer.allocUnsafe(PAGE_BYTES);

  constructor(path: string, bytes: number) {
    this.bytes = Math.max(PAGE_BYTES, bytes - (bytes % PAGE_BYTES));
    ensureFilledFile(path, this.bytes);
    this.fd = openSync(path, 'r');
    // Read the whole file once before ready: every trial then starts with it in the page cache,
    // faulted in (and charged) by this container, whatever the previous trial left cached (the
    // harness drops the file's pages before each trial).
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (let at = 0; at < this.bytes; at += chunk.length) readSync(this.fd, chunk, 0, chunk.length, at);
  }

  touchPages(pages: number): number {
    const totalPages = this.bytes / PAGE_BYTES;
    let sum = 0;
    for (let i = 0; i < pages; i++) {
      const page = Math.floor(Math.random() * totalPages);
      readSync(this.fd, this.page, 0, PAGE_BYTES, page * PAGE_BYTES);
      sum += this.page[0] ?? 0;
    }
    return sum;
  }

  close(): void {
    closeSync(this.fd);
  }
}
