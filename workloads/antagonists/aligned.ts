/**
 * O_DIRECT needs the user buffer aligned to the device's logical block size (512 or 4096). Node
 * Buffers come from malloc: a large one is mmap-backed but glibc puts a 16-byte header in front,
 * so byteOffset 0 is not page-aligned and JS cannot see the address to fix it. WebAssembly.Memory
 * is reserved with mmap directly and starts on a page boundary, so its buffer is 4096-aligned
 * (64 KiB wasm pages keep every 64 KiB offset aligned too). io.ts still verifies it with a probe
 * write/read and reports EINVAL clearly if a kernel or filesystem wants more.
 */
// tsconfig's lib has no DOM/WebAssembly typings; this is the one constructor we use.
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
};

export const WASM_PAGE_BYTES = 65536;

export function alignedBuffer(bytes: number): Buffer {
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES));
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  return Buffer.from(memory.buffer, 0, bytes);
}
