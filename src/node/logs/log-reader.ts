// Streams a container's CRI log file to a client as the kubelet does: entries' content only (or
// prefixed with their RFC3339Nano time with `timestamps`), from the last N lines (`tailLines`),
// skipping entries before `since`, stopping after `limitBytes`. With `follow` it keeps reading as
// the runtime writes, follows rotation (the file renamed to <path>.<millis> and a new one created
// at <path>: the old file is read to its end first), and ends once the container has exited and
// the file is fully read, or when the caller aborts (the client went away).
import { open, stat, type FileHandle } from "node:fs/promises";
import { parseCriLine, rfc3339Nano } from "./cri-log.js";
import type { LogOptions } from "./log-options.js";
import { tailOffset } from "./tail.js";

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

export interface LogFollowControl {
  /** Whether the container still runs; following stops once it does not and the file is read. */
  isRunning(): Promise<boolean>;
  signal?: AbortSignal;
  /** How often to look for new lines while following. */
  pollIntervalMs: number;
}

/** Receives output; resolves when the bytes may be followed by more (backpressure). */
export type LogSink = (chunk: Buffer) => Promise<void>;

export async function streamLog(path: string, options: LogOptions, sink: LogSink, control: LogFollowControl): Promise<void> {
  const formatter = new EntryFormatter(options, sink);
  let file = await openIfExists(path);
  if (!file && !options.follow) return;
  try {
    let offset = 0;
    if (file && options.tailLines !== undefined) offset = await tailOffset(file, (await file.stat()).size, options.tailLines);
    const lines = new LineSplitter();
    for (;;) {
      if (control.signal?.aborted) return;
      if (file) {
        offset = await drain(file, offset, lines, formatter);
        if (formatter.done) return;
      }
      if (!options.follow) {
        await formatter.flushTail(lines.rest());
        return;
      }
      let next = await rotatedTo(path, file);
      if (next === undefined && !(await control.isRunning())) {
        // Exited: whatever it wrote before exiting is read, then the stream ends.
        if (file) offset = await drain(file, offset, lines, formatter);
        next = await rotatedTo(path, file);
        if (next === undefined) return;
        if (formatter.done) return void (await next.close());
      }
      if (next !== undefined) {
        await file?.close();
        file = next;
        offset = 0;
        continue;
      }
      await sleep(control.pollIntervalMs, control.signal);
    }
  } finally {
    await file?.close();
  }
}

/** Reads from offset to the end of the file, handing each whole line to the formatter. */
async function drain(file: FileHandle, offset: number, lines: LineSplitter, formatter: EntryFormatter): Promise<number> {
  const buffer = Buffer.alloc(CHUNK);
  for (;;) {
    const { bytesRead } = await file.read(buffer, 0, CHUNK, offset);
    if (bytesRead === 0) return offset;
    offset += bytesRead;
    for (const line of lines.push(Buffer.from(buffer.subarray(0, bytesRead)))) {
      await formatter.write(line);
      if (formatter.done) return offset;
    }
  }
}

/**
 * A new file at path that is not the one we hold (rotation, or the first file appearing):
 * opened; undefined when nothing changed. We only switch once our file was read to its end.
 */
async function rotatedTo(path: string, current: FileHandle | undefined): Promise<FileHandle | undefined> {
  let onDisk;
  try {
    onDisk = await stat(path);
  } catch {
    return undefined;
  }
  if (current) {
    const held = await current.stat();
    if (held.ino === onDisk.ino && held.dev === onDisk.dev) return undefined;
  }
  return openIfExists(path);
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Cuts bytes into lines, keeping an unfinished last line for the next push. */
class LineSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
      lines.push(data.subarray(start, nl));
      start = nl + 1;
    }
    this.pending = data.subarray(start);
    return lines;
  }

  rest(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }
}

/** Turns entries into output: since filter, timestamps at the start of each line, the byte limit. */
class EntryFormatter {
  done = false;
  private written = 0;
  /** The previous entry was partial: the next one continues its line and gets no timestamp. */
  private continuing = false;

  constructor(private readonly options: LogOptions, private readonly sink: LogSink) {}

  async write(line: Buffer): Promise<void> {
    const entry = parseCriLine(line);
    if (!entry) return;
    if (this.options.since && entry.timeMs < this.options.since.getTime()) return;
    const parts: Buffer[] = [];
    if (this.options.timestamps && !this.continuing) parts.push(Buffer.from(`${rfc3339Nano(entry.time)} `));
    parts.push(entry.content);
    if (!entry.partial) parts.push(Buffer.from("\n"));
    this.continuing = entry.partial;
    await this.emit(Buffer.concat(parts));
  }

  /** An unfinished last line when not following: shown as it is, as upstream does. */
  async flushTail(rest: Buffer): Promise<void> {
    if (rest.length > 0 && !this.done) await this.write(rest);
  }

  private async emit(bytes: Buffer): Promise<void> {
    const limit = this.options.limitBytes;
    if (limit !== undefined && this.written + bytes.length >= limit) {
      bytes = bytes.subarray(0, limit - this.written);
      this.done = true;
    }
    this.written += bytes.length;
    if (bytes.length > 0) await this.sink(bytes);
  }
}
