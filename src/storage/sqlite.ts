// The default Store: SQLite through better-sqlite3, in WAL mode with synchronous = FULL, so a write
// is acknowledged only once it is durably committed. Writes are group-committed: those requested
// while a commit is in progress (or in the same event-loop turn) go to the writer thread as one
// transaction, each with its own precondition and result. Reads run on the main thread from their
// own connection. History is an append-only log keyed by revision (kine's design) that serves
// list-at-revision and watch resume until an unref'd compactor trims it, keeping the latest value of
// every live key. Reopening the file continues the revision sequence. Values are not cached in memory.
import { Compactor, type CompactorOptions } from "./compactor.js";
import { GroupCommit, type CommitStats } from "./sqlite-group-commit.js";
import type { WriteFailure, WriteRequest, WriteResult } from "./sqlite-protocol.js";
import { SqliteReader } from "./sqlite-reader.js";
import {
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type WatchCallbacks,
  type WatchEvent,
  type WatchHandle,
} from "./store.js";
import { Watchers } from "./watchers.js";

export interface SqliteStoreOptions {
  /** Automatic compaction (default: keep 1000 revisions or 5 minutes, checked every minute); false disables it. */
  compaction?: false | CompactorOptions;
}

type Committed = Extract<WriteResult, { ok: true }>;

export class SqliteStore implements Store {
  readonly backend = "sqlite";
  private closed = false;
  private readonly watchers: Watchers;
  private readonly compactor: Compactor | undefined;

  private constructor(private readonly reader: SqliteReader, private readonly commit: GroupCommit, options: SqliteStoreOptions) {
    this.watchers = new Watchers({ history: (prefix, after, limit) => this.reader.history(prefix, after, limit) });
    if (options.compaction !== false) {
      this.compactor = new Compactor(this, options.compaction);
      this.compactor.start();
    }
  }

  /** Opens (creating when absent) the database file; its directory must exist. */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const relay: { store?: SqliteStore } = {};
    const commit = await GroupCommit.start(path, (writes, results) => relay.store?.publish(writes, results));
    let reader: SqliteReader;
    try {
      reader = new SqliteReader(path);
    } catch (err) {
      await commit.close();
      throw err;
    }
    relay.store = new SqliteStore(reader, commit, options);
    return relay.store;
  }

  /** How many batches and writes have been committed: writes / batches is the group-commit factor. */
  commitStats(): CommitStats {
    return { ...this.commit.stats };
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    return this.reader.currentRevision();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.assertOpen();
    return this.reader.get(key);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    return this.reader.list(prefix, options);
  }

  async count(prefix: string): Promise<number> {
    this.assertOpen();
    return this.reader.count(prefix);
  }

  async create(key: string, value: string): Promise<number> {
    return (await this.write({ op: "create", key, value })).revision;
  }

  async update(key: string, value: string, expectedRevision: number): Promise<number> {
    return (await this.write({ op: "update", key, value, expectedRevision })).revision;
  }

  async delete(key: string, expectedRevision?: number): Promise<{ revision: number; prev: KeyValue }> {
    const result = await this.write({ op: "delete", key, expectedRevision });
    const prev = result.prev as NonNullable<Committed["prev"]>;
    return { revision: result.revision, prev: { key, ...prev } };
  }

  watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): WatchHandle {
    this.assertOpen();
    return this.watchers.watch(prefix, fromRevision, callbacks);
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    const reply = await this.commit.compact(revision);
    if (reply.type !== "failed") return;
    if (reply.futureRevision) throw new FutureRevisionError(reply.futureRevision.requested, reply.futureRevision.current);
    throw new Error(`compaction at revision ${revision} failed: ${reply.message}`);
  }

  async compactedRevision(): Promise<number> {
    this.assertOpen();
    return this.reader.compactedRevision();
  }

  /** Commits what is queued, stops the compactor, ends every watch and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.compactor?.stop();
    await this.commit.close();
    this.watchers.failAll(new Error("the store was closed"));
    this.reader.close();
  }

  private async write(request: WriteRequest): Promise<Committed> {
    this.assertOpen();
    const result = await this.commit.write(request);
    if (!result.ok) throw writeError(request, result.failure);
    return result;
  }

  private publish(writes: readonly WriteRequest[], results: readonly WriteResult[]): void {
    const events: WatchEvent[] = [];
    writes.forEach((write, i) => {
      const result = results[i];
      if (result?.ok) events.push(toEvent(write, result));
    });
    if (events.length > 0) this.watchers.publish(events);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("the store was closed");
  }
}

function writeError(request: WriteRequest, failure: WriteFailure): Error {
  if (failure.kind === "exists") return new KeyExistsError(request.key);
  if (failure.kind === "notFound") return new KeyNotFoundError(request.key);
  const expected = request.op === "create" ? 0 : (request.expectedRevision ?? 0);
  return new ConflictError(request.key, expected, failure.actualRevision);
}

function toEvent(write: WriteRequest, result: Committed): WatchEvent {
  const { key } = write;
  const prev = result.prev && { key, ...result.prev };
  if (write.op === "delete") {
    return { type: "delete", kv: { key, value: prev?.value ?? "", createRevision: result.createRevision, modRevision: result.revision } };
  }
  const kv: KeyValue = { key, value: write.value, createRevision: result.createRevision, modRevision: result.revision };
  return prev ? { type: "put", kv, prev } : { type: "put", kv };
}
