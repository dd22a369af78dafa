// The audit log's file: JSON lines appended through one stream, written in batches (one write per
// event-loop turn, however many requests finished in it), rotated by size like upstream's
// --audit-log-maxsize / --audit-log-maxbackup: the full file is renamed with a timestamp and the
// oldest backups beyond the limit are deleted. Written with mode 0600: it names users and objects.
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";

export interface AuditFileOptions {
  path: string;
  /** Rotate when the file would grow past this many bytes. */
  maxBytes: number;
  /** Rotated files kept. */
  maxBackups: number;
  now?: () => Date;
}

export class AuditLogFile {
  #stream?: WriteStream;
  #size = 0;
  #pending: string[] = [];
  #flushing: Promise<void> = Promise.resolve();
  #scheduled = false;

  private constructor(private readonly options: AuditFileOptions) {}

  static async open(options: AuditFileOptions): Promise<AuditLogFile> {
    const file = new AuditLogFile(options);
    await mkdir(dirname(options.path), { recursive: true, mode: 0o700 });
    file.#size = await stat(options.path).then((s) => s.size, () => 0);
    file.#stream = file.openStream();
    return file;
  }

  /** Queues one line (without its newline); it is written at the end of this event-loop turn. */
  append(line: string): void {
    this.#pending.push(line);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flushing = this.#flushing.then(() => this.flushPending());
    });
  }

  /** Writes what is queued and closes the file. */
  async close(): Promise<void> {
    await this.#flushing;
    await this.flushPending();
    const stream = this.#stream;
    this.#stream = undefined;
    if (stream) await new Promise<void>((done) => stream.end(done));
  }

  private async flushPending(): Promise<void> {
    if (this.#pending.length === 0 || !this.#stream) return;
    // Encoded once: its length decides rotation, and the stream takes the bytes as they are.
    const chunk = Buffer.from(`${this.#pending.join("\n")}\n`);
    this.#pending = [];
    if (this.#size > 0 && this.#size + chunk.length > this.options.maxBytes) await this.rotate();
    this.#size += chunk.length;
    if (!this.#stream!.write(chunk)) await new Promise<void>((done) => this.#stream!.once("drain", done));
  }

  private async rotate(): Promise<void> {
    const old = this.#stream!;
    await new Promise<void>((done) => old.end(done));
    const { path } = this.options;
    const ext = extname(path);
    const stamp = (this.options.now?.() ?? new Date()).toISOString().replace(/:/g, "-");
    await rename(path, join(dirname(path), `${basename(path, ext)}-${stamp}${ext}`));
    await this.removeOldBackups();
    this.#size = 0;
    this.#stream = this.openStream();
  }

  private async removeOldBackups(): Promise<void> {
    const { path, maxBackups } = this.options;
    const ext = extname(path);
    const prefix = `${basename(path, ext)}-`;
    const backups = (await readdir(dirname(path))).filter((f) => f.startsWith(prefix) && f.endsWith(ext)).sort();
    await Promise.all(backups.slice(0, Math.max(0, backups.length - maxBackups)).map((f) => rm(join(dirname(path), f), { force: true })));
  }

  private openStream(): WriteStream {
    const stream = createWriteStream(this.options.path, { flags: "a", mode: 0o600 });
    stream.on("error", () => undefined);
    return stream;
  }
}
