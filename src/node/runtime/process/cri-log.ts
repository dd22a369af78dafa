// A container log in the CRI format (what `kubectl logs` reads through the agent):
//   <RFC3339Nano timestamp> <stdout|stderr> <F|P> <content>\n
// "P" marks a partial line, continued by the next entry of the same stream: lines longer than
// 16 KiB, and output that has no newline yet when it is read. The file is rotated by size: the
// current file is renamed to <path>.<unixMillis> and only the newest maxFiles-1 rotations stay.
import fs from "node:fs";
import path from "node:path";
import { criEntry } from "../../logs/cri-log.js";

export const MAX_LINE_BYTES = 16 * 1024;

export type LogStream = "stdout" | "stderr";

export interface RotationPolicy {
  maxSizeBytes: number;
  maxFiles: number;
}

export function formatTimestamp(ms: number): string {
  // Millisecond clock, written with nanosecond digits as RFC3339Nano readers expect.
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}

/** Splits output into CRI log entries: complete lines are "F", the rest "P". */
export function criEntries(stream: LogStream, data: Buffer, timestamp: string): Buffer[] {
  const entries: Buffer[] = [];
  const push = (content: Buffer, tag: "F" | "P") => entries.push(criEntry(timestamp, stream, tag === "P", content));
  let start = 0;
  while (start < data.length) {
    const newline = data.indexOf(0x0a, start);
    const end = newline === -1 ? data.length : newline;
    let at = start;
    while (end - at > MAX_LINE_BYTES) {
      push(data.subarray(at, at + MAX_LINE_BYTES), "P");
      at += MAX_LINE_BYTES;
    }
    if (newline === -1) {
      if (at < end) push(data.subarray(at, end), "P");
      break;
    }
    push(data.subarray(at, end), "F");
    start = newline + 1;
  }
  return entries;
}

export class CriLogFile {
  private fd: number;
  private size: number;

  constructor(readonly file: string, private readonly policy: RotationPolicy, private readonly now: () => number) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, "a", 0o640);
    this.size = fs.fstatSync(this.fd).size;
  }

  write(stream: LogStream, data: Buffer): void {
    for (const entry of criEntries(stream, data, formatTimestamp(this.now()))) {
      if (this.size > 0 && this.size + entry.length > this.policy.maxSizeBytes) this.rotate();
      fs.writeSync(this.fd, entry);
      this.size += entry.length;
    }
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    let stamp = this.now();
    while (fs.existsSync(`${this.file}.${stamp}`)) stamp++;
    fs.renameSync(this.file, `${this.file}.${stamp}`);
    this.fd = fs.openSync(this.file, "a", 0o640);
    this.size = 0;
    for (const old of rotatedFiles(this.file).slice(0, -Math.max(0, this.policy.maxFiles - 1) || undefined)) {
      fs.rmSync(old, { force: true });
    }
  }
}

/** Rotated files of a log, oldest first. */
export function rotatedFiles(file: string): string[] {
  const base = path.basename(file);
  const pattern = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(\\d+)$`);
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(file));
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, stamp: pattern.exec(name)?.[1] }))
    .filter((f): f is { name: string; stamp: string } => f.stamp !== undefined)
    .sort((a, b) => Number(a.stamp) - Number(b.stamp))
    .map((f) => path.join(path.dirname(file), f.name));
}
