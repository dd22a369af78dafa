// Copies a container's raw stdout/stderr (files the shim appends to, so the container never
// depends on the agent) into its CRI log, timestamping at read time. Offsets are kept on disk,
// so a new agent resumes where the old one stopped. A raw file is truncated once a whole
// threshold has been copied and nothing new is pending, which keeps disk use bounded for a
// container that logs without end; the writer appends (O_APPEND), so it continues at offset 0.
// (A write landing between the last read and the truncate is lost: the window is one syscall.)
// A container that writes faster than the copier reads cannot be slowed down (it must not wait
// for the agent), so once its unread backlog passes 16 truncation thresholds the backlog is
// dropped, and the CRI log says how much was lost.
import fs from "node:fs";
import path from "node:path";
import { CriLogFile, type LogStream, type RotationPolicy } from "./cri-log.js";
import { SHIM_FILES } from "./shim.js";
import { writeAtomically } from "./state-store.js";

const CHUNK_BYTES = 64 * 1024;
const MAX_BYTES_PER_PUMP = 4 * 1024 * 1024;
const BACKLOG_THRESHOLDS = 16;

export interface LogCopierOptions {
  dir: string;
  logPath: string;
  rotation: RotationPolicy;
  /** Truncate a raw file once this much of it has been copied. */
  truncateBytes: number;
  now: () => number;
}

type OutputListener = (stream: LogStream, data: Buffer) => void;

export class LogCopier {
  private readonly log: CriLogFile;
  private readonly offsetsFile: string;
  private offsets: Record<LogStream, number>;
  private readonly listeners = new Set<OutputListener>();
  private readonly buffer = Buffer.alloc(CHUNK_BYTES);

  constructor(private readonly options: LogCopierOptions) {
    this.log = new CriLogFile(options.logPath, options.rotation, options.now);
    this.offsetsFile = path.join(options.dir, "log-offsets.json");
    this.offsets = readOffsets(this.offsetsFile);
  }

  onOutput(listener: OutputListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Copies whatever is new; returns true when more is pending (the per-call cap was hit).
   * dropBacklog: whether an oversized backlog may be dropped (not once the container has exited).
   */
  pump(dropBacklog = true): boolean {
    const before = { ...this.offsets };
    let more = false;
    for (const stream of ["stdout", "stderr"] as const) more = this.pumpStream(stream, dropBacklog) || more;
    if (before.stdout !== this.offsets.stdout || before.stderr !== this.offsets.stderr) writeAtomically(this.offsetsFile, this.offsets);
    return more;
  }

  /** Copies everything left (the container has exited) and closes the log. */
  drain(): void {
    while (this.pump(false));
    this.close();
  }

  close(): void {
    this.log.close();
    this.listeners.clear();
  }

  private pumpStream(stream: LogStream, dropBacklog: boolean): boolean {
    const file = path.join(this.options.dir, stream === "stdout" ? SHIM_FILES.stdout : SHIM_FILES.stderr);
    let fd: number;
    try {
      fd = fs.openSync(file, "r+");
    } catch {
      return false;
    }
    try {
      let size = fs.fstatSync(fd).size;
      if (size < this.offsets[stream]) this.offsets[stream] = 0;
      let copied = 0;
      while (this.offsets[stream] < size && copied < MAX_BYTES_PER_PUMP) {
        const n = fs.readSync(fd, this.buffer, 0, CHUNK_BYTES, this.offsets[stream]);
        if (n === 0) break;
        const data = Buffer.from(this.buffer.subarray(0, n));
        this.log.write(stream, data);
        for (const listener of this.listeners) listener(stream, data);
        this.offsets[stream] += n;
        copied += n;
        if (this.offsets[stream] >= size) size = fs.fstatSync(fd).size;
      }
      size = fs.fstatSync(fd).size;
      const backlog = size - this.offsets[stream];
      if (dropBacklog && backlog > BACKLOG_THRESHOLDS * this.options.truncateBytes) {
        fs.ftruncateSync(fd, 0);
        this.offsets[stream] = 0;
        this.log.write(stream, Buffer.from(`kubelite: ${backlog} bytes of ${stream} dropped: the container writes faster than its log is copied\n`));
        return false;
      }
      if (this.offsets[stream] >= this.options.truncateBytes && backlog === 0) {
        fs.ftruncateSync(fd, 0);
        this.offsets[stream] = 0;
      }
      return this.offsets[stream] < size;
    } finally {
      fs.closeSync(fd);
    }
  }
}

function readOffsets(file: string): Record<LogStream, number> {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Record<LogStream, number>>;
    return { stdout: parsed.stdout ?? 0, stderr: parsed.stderr ?? 0 };
  } catch {
    return { stdout: 0, stderr: 0 };
  }
}
