// Group commit for SqliteStore, on the main thread: writes requested while a batch is being committed
// (or in the same event-loop turn) wait in a queue and go to the writer thread together as the next
// batch, one batch in flight at a time. Each write's promise settles with its own result once its
// batch is committed; onCommitted sees every committed batch, in order, before any of its promises
// resolve. If the writer thread dies, every outstanding and later write fails with that error.
// The thread does not keep the process alive while nothing is outstanding.
import { Worker } from "node:worker_threads";
import type { WriteRequest, WriteResult, WriterOptions, WriterReply, WriterRequest } from "./sqlite-protocol.js";

/** The most writes one transaction carries; more wait for the next batch. */
const maxBatch = 1000;

interface PendingWrite {
  write: WriteRequest;
  resolve(result: WriteResult): void;
  reject(err: Error): void;
}

/** A request before it is given its id. */
type Request = WriterRequest extends infer R ? (R extends WriterRequest ? Omit<R, "id"> : never) : never;

export type CommittedHandler = (writes: readonly WriteRequest[], results: readonly WriteResult[]) => void;

export interface CommitStats {
  batches: number;
  writes: number;
}

export class GroupCommit {
  readonly stats: CommitStats = { batches: 0, writes: 0 };
  private queue: PendingWrite[] = [];
  private inFlight = false;
  private scheduled = false;
  private failure: Error | undefined;
  private closing = false;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(reply: WriterReply): void; reject(err: Error): void }>();
  private readonly exited: Promise<void>;
  private idleWaiters: (() => void)[] = [];

  private constructor(private readonly worker: Worker, private readonly onCommitted: CommittedHandler) {
    worker.on("message", (reply: WriterReply) => this.receive(reply));
    worker.on("error", (err) => this.fail(err));
    this.exited = new Promise((resolve) => {
      worker.once("exit", (code) => {
        this.fail(new Error(`the sqlite writer thread exited (code ${code})`));
        resolve();
      });
    });
    worker.unref();
  }

  /** Starts the writer thread on the database file; resolves once it has opened the database. */
  static async start(path: string, onCommitted: CommittedHandler): Promise<GroupCommit> {
    return new GroupCommit(await startWorker(path), onCommitted);
  }

  /** Queues the write for the next batch; resolves with its result once the batch is durable. */
  write(write: WriteRequest): Promise<WriteResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error("the store was closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.schedule();
    });
  }

  async compact(revision: number): Promise<WriterReply> {
    return this.request({ type: "compact", revision });
  }

  /** Commits what is queued, then closes the database and ends the thread. */
  async close(): Promise<void> {
    if (this.closing || this.failure) return;
    this.closing = true;
    await new Promise<void>((resolve) => (this.isIdle() ? resolve() : this.idleWaiters.push(resolve)));
    this.worker.ref();
    // A rejection here means the thread is already gone, which is what closing wants.
    const reply = await this.request({ type: "close" }).catch(() => undefined);
    await this.exited;
    if (reply?.type === "failed") throw new Error(`closing the database failed: ${reply.message}`);
  }

  private schedule(): void {
    if (this.inFlight || this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate, not a microtask: writes issued by the continuations of the batch that just
    // resolved (and by anything else in this turn) join this batch.
    setImmediate(() => {
      this.scheduled = false;
      this.send();
    });
  }

  private send(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, maxBatch);
    this.inFlight = true;
    this.request({ type: "batch", writes: batch.map((p) => p.write) }).then(
      (reply) => this.settle(batch, reply),
      (err: Error) => this.settle(batch, err),
    );
  }

  private settle(batch: PendingWrite[], reply: WriterReply | Error): void {
    this.inFlight = false;
    if (reply instanceof Error || reply.type !== "batch") {
      const err = reply instanceof Error ? reply : new Error(reply.type === "failed" ? reply.message : "unexpected reply");
      for (const p of batch) p.reject(err);
    } else {
      this.stats.batches++;
      this.stats.writes += batch.length;
      this.onCommitted(batch.map((p) => p.write), reply.results);
      batch.forEach((p, i) => p.resolve(reply.results[i] as WriteResult));
    }
    this.schedule();
    if (this.isIdle()) this.wakeIdle();
  }

  private request(request: Request): Promise<WriterReply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...request, id } as WriterRequest);
    });
  }

  private receive(reply: WriterReply): void {
    if (reply.type === "ready") return;
    const waiter = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    // Closing keeps the thread referenced until it has exited, so close() can await that.
    if (this.waiting.size === 0 && !this.closing) this.worker.unref();
    waiter?.resolve(reply);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
    for (const p of this.queue.splice(0)) p.reject(err);
    this.wakeIdle();
  }

  private isIdle(): boolean {
    return !this.inFlight && this.queue.length === 0;
  }

  private wakeIdle(): void {
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

/** A writer thread that has opened the database at path. */
function startWorker(path: string): Promise<Worker> {
  const script = new URL(import.meta.url.endsWith(".ts") ? "./sqlite-writer.ts" : "./sqlite-writer.js", import.meta.url);
  const workerData: WriterOptions = { path };
  // A small young generation: the writer keeps nothing between batches, and the server's larger
  // one (bin/kubelite.js) would only add resident memory here.
  const worker = new Worker(script, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
  return new Promise((resolve, reject) => {
    const onExit = (code: number): void => reject(new Error(`the sqlite writer thread exited (code ${code}) before opening ${path}`));
    worker.once("error", reject);
    worker.once("exit", onExit);
    worker.once("message", () => {
      worker.off("error", reject);
      worker.off("exit", onExit);
      resolve(worker);
    });
  });
}
