// The writer thread of SqliteStore: the only connection that writes the database. It applies each
// batch of writes in ONE transaction (group commit), checking every write's precondition inside the
// transaction, in order, so a failed write fails only itself; it replies only after COMMIT returned,
// and with synchronous = FULL in WAL mode that means the batch is durable. Compaction deletes
// superseded rows in small transactions between batches, so writers are never blocked for long.
// Runs fsync off the main thread: the API's event loop keeps serving while a commit is in progress.
import Database from "better-sqlite3";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { schema, type WriteRequest, type WriteResult, type WriterOptions, type WriterReply, type WriterRequest } from "./sqlite-protocol.js";

/** Revisions swept per compaction transaction. */
const sweepChunk = 2000;

class FutureRevision extends Error {
  constructor(readonly requested: number, readonly current: number) {
    super(`cannot compact at revision ${requested}: the current revision is ${current}`);
  }
}

type Row = unknown[];

class Writer {
  private readonly db: Database.Database;
  private nextRevision: number;
  private compaction: Promise<void> = Promise.resolve();
  private closing = false;
  private readonly applyAll: (writes: WriteRequest[]) => WriteResult[];
  private readonly stmt;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("busy_timeout = 5000");
    this.db.pragma("journal_size_limit = 67108864");
    this.db.exec(schema);
    this.stmt = {
      current: this.db.prepare("SELECT rev, create_rev FROM current WHERE key = ?").raw(),
      value: this.db.prepare("SELECT value FROM log WHERE rev = ?").pluck(),
      append: this.db.prepare("INSERT INTO log (rev, key, value, create_rev, prev_rev, deleted) VALUES (?, ?, ?, ?, ?, ?)"),
      insertCurrent: this.db.prepare("INSERT INTO current (key, rev, create_rev) VALUES (?, ?, ?)"),
      updateCurrent: this.db.prepare("UPDATE current SET rev = ? WHERE key = ?"),
      deleteCurrent: this.db.prepare("DELETE FROM current WHERE key = ?"),
      meta: this.db.prepare("SELECT value FROM meta WHERE name = ?").pluck(),
      setMeta: this.db.prepare("UPDATE meta SET value = ? WHERE name = ?"),
      sweepSuperseded: this.db.prepare("DELETE FROM log WHERE rev IN (SELECT prev_rev FROM log WHERE rev > ? AND rev <= ? AND prev_rev > 0)"),
      sweepTombstones: this.db.prepare("DELETE FROM log WHERE rev > ? AND rev <= ? AND deleted = 1"),
    };
    const latest = this.db.prepare("SELECT max(rev) FROM log").pluck().get() as number | null;
    this.nextRevision = Math.max(latest ?? 0, this.metaValue("compact_rev")) + 1;
    this.applyAll = this.db.transaction((writes: WriteRequest[]) => writes.map((w) => this.apply(w)));
    // A compaction interrupted by a crash or close resumes here.
    this.compaction = this.sweep().catch((err: unknown) => console.error("kubelite sqlite compaction:", err));
  }

  /** Applies the writes in one transaction; resolves once committed. */
  applyBatch(writes: WriteRequest[]): WriteResult[] {
    const first = this.nextRevision;
    try {
      return this.applyAll(writes);
    } catch (err) {
      this.nextRevision = first;
      throw err;
    }
  }

  /** Makes reads below revision fail, then deletes the rows they needed (in the background of writes). */
  compact(revision: number): Promise<void> {
    const run = this.compaction.then(() => this.compactTo(revision));
    this.compaction = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.compaction;
    this.db.close();
  }

  private apply(write: WriteRequest): WriteResult {
    if (write.op === "create") return this.create(write.key, write.value);
    const current = this.stmt.current.get(write.key) as Row | undefined;
    if (!current) return { ok: false, failure: { kind: "notFound" } };
    const [modRevision, createRevision] = current as [number, number];
    if (write.expectedRevision !== undefined && write.expectedRevision !== modRevision) {
      return { ok: false, failure: { kind: "conflict", actualRevision: modRevision } };
    }
    const prev = { value: this.stmt.value.get(modRevision) as string, createRevision, modRevision };
    const revision = this.nextRevision++;
    if (write.op === "update") {
      this.stmt.append.run(revision, write.key, write.value, createRevision, modRevision, 0);
      this.stmt.updateCurrent.run(revision, write.key);
    } else {
      this.stmt.append.run(revision, write.key, null, createRevision, modRevision, 1);
      this.stmt.deleteCurrent.run(write.key);
    }
    return { ok: true, revision, createRevision, prev };
  }

  private create(key: string, value: string): WriteResult {
    if (this.stmt.current.get(key)) return { ok: false, failure: { kind: "exists" } };
    const revision = this.nextRevision++;
    this.stmt.append.run(revision, key, value, revision, 0, 0);
    this.stmt.insertCurrent.run(key, revision, revision);
    return { ok: true, revision, createRevision: revision };
  }

  private async compactTo(revision: number): Promise<void> {
    const current = this.nextRevision - 1;
    if (revision > current) throw new FutureRevision(revision, current);
    if (revision <= this.metaValue("compact_rev")) return;
    this.stmt.setMeta.run(revision, "compact_rev");
    await this.sweep();
  }

  /**
   * Deletes, chunk by chunk up to compact_rev, every row superseded at or below it (the prev row of
   * a later row) and every tombstone. Resumes where it stopped after a crash (swept_rev).
   */
  private async sweep(): Promise<void> {
    for (;;) {
      const swept = this.metaValue("swept_rev");
      const target = this.metaValue("compact_rev");
      if (swept >= target || this.closing) return;
      const upTo = Math.min(swept + sweepChunk, target);
      this.db.transaction(() => {
        this.stmt.sweepSuperseded.run(swept, upTo);
        this.stmt.sweepTombstones.run(swept, upTo);
        this.stmt.setMeta.run(upTo, "swept_rev");
      })();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private metaValue(name: string): number {
    return this.stmt.meta.get(name) as number;
  }
}

function serve(port: NonNullable<typeof parentPort>, options: WriterOptions): void {
  const writer = new Writer(options.path);
  const reply = (message: WriterReply): void => port.postMessage(message);
  const failed = (id: number, err: unknown): void => {
    const futureRevision = err instanceof FutureRevision ? { requested: err.requested, current: err.current } : undefined;
    reply({ type: "failed", id, message: err instanceof Error ? err.message : String(err), futureRevision });
  };
  port.on("message", (request: WriterRequest) => {
    if (request.type === "batch") {
      try {
        reply({ type: "batch", id: request.id, results: writer.applyBatch(request.writes) });
      } catch (err) {
        failed(request.id, err);
      }
    } else if (request.type === "compact") {
      writer.compact(request.revision).then(() => reply({ type: "done", id: request.id }), (err: unknown) => failed(request.id, err));
    } else {
      writer.close().then(() => {
        reply({ type: "done", id: request.id });
        port.close();
      }, (err: unknown) => failed(request.id, err));
    }
  });
  reply({ type: "ready" });
}

if (!isMainThread && parentPort) serve(parentPort, workerData as WriterOptions);
