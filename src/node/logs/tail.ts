// Finding where the last N lines of a file start, reading backwards in blocks, so `--tail` on a
// large log reads only its end.
import type { FileHandle } from "node:fs/promises";

const BLOCK = 64 * 1024;
const NEWLINE = 0x0a;

/** The byte offset of the start of the last `lines` lines of the first `size` bytes. */
export async function tailOffset(file: FileHandle, size: number, lines: number): Promise<number> {
  if (lines === 0) return size;
  let end = size;
  // A final newline ends the last line; it does not start another one.
  let skipFinalNewline = true;
  let found = 0;
  while (end > 0) {
    const start = Math.max(0, end - BLOCK);
    const buffer = Buffer.alloc(end - start);
    await file.read(buffer, 0, buffer.length, start);
    for (let i = buffer.length - 1; i >= 0; i--) {
      if (buffer[i] !== NEWLINE) {
        skipFinalNewline = false;
        continue;
      }
      if (skipFinalNewline) {
        skipFinalNewline = false;
        continue;
      }
      if (++found === lines) return start + i + 1;
    }
    end = start;
  }
  return 0;
}
