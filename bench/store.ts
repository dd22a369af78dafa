// Storage benchmark: sqlite create throughput and latency (2 KB values, 32 concurrent writers,
// 10,000 keys), the group-commit factor, and the time to list 30,000 keys under a prefix (current
// state and at an older revision). Every run uses a fresh database in a temp dir; each figure is the
// median over the runs. `node dist/bench/store.js` prints the figures as JSON.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { SqliteStore } from "../src/storage/sqlite.js";

export interface StoreBenchOptions {
  runs?: number;
  /** Timed creates per run. */
  keys?: number;
  concurrency?: number;
  /** Keys present when listing. */
  listKeys?: number;
  valueBytes?: number;
}

const prefix = "/registry/configmaps/bench/";

function valueOf(key: string, bytes: number): string {
  const head = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: key }, data: { pad: "" } });
  return head.replace('"pad":""', `"pad":"${"x".repeat(Math.max(0, bytes - head.length))}"`);
}

function keyOf(i: number): string {
  return `${prefix}cm-${String(i).padStart(6, "0")}`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Creates keys [from, to) with `concurrency` writers; returns each create's latency in ms. */
async function createKeys(store: SqliteStore, from: number, to: number, concurrency: number, bytes: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = from;
  const writer = async (): Promise<void> => {
    while (next < to) {
      const key = keyOf(next++);
      const value = valueOf(key, bytes);
      const start = performance.now();
      await store.create(key, value);
      latencies.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => writer()));
  return latencies;
}

async function timeMs(fn: () => Promise<unknown>, repeat = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

async function runOnce(o: Required<StoreBenchOptions>): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), "kubelite-bench-"));
  const store = await SqliteStore.open(join(dir, "state.db"), { compaction: false }).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  try {
    const start = performance.now();
    const latencies = (await createKeys(store, 0, o.keys, o.concurrency, o.valueBytes)).sort((a, b) => a - b);
    const elapsedMs = performance.now() - start;
    const stats = store.commitStats();
    await createKeys(store, o.keys, o.listKeys, o.concurrency, o.valueBytes);
    const older = await store.currentRevision();
    await store.update(keyOf(0), valueOf(keyOf(0), o.valueBytes), 1);
    const full = await store.list(prefix);
    if (full.items.length !== Math.max(o.keys, o.listKeys)) throw new Error(`listed ${full.items.length} keys`);
    return {
      createsPerSec: Math.round((o.keys / elapsedMs) * 1000),
      createP50Ms: percentile(latencies, 50),
      createP99Ms: percentile(latencies, 99),
      writesPerCommit: stats.writes / stats.batches,
      listMs: await timeMs(() => store.list(prefix)),
      listAtRevisionMs: await timeMs(() => store.list(prefix, { revision: older })),
      listPage500Ms: await timeMs(() => store.list(prefix, { limit: 500 })),
      countMs: await timeMs(() => store.count(prefix)),
    };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Medians over runs of the figures above (ms, or per second where named so). */
export async function benchStore(options: StoreBenchOptions = {}): Promise<Record<string, number>> {
  const o: Required<StoreBenchOptions> = { runs: 3, keys: 10_000, concurrency: 32, listKeys: 30_000, valueBytes: 2048, ...options };
  const runs: Record<string, number>[] = [];
  for (let i = 0; i < o.runs; i++) runs.push(await runOnce(o));
  const names = Object.keys(runs[0] ?? {});
  return Object.fromEntries(names.map((name) => [name, Math.round(median(runs.map((r) => r[name] ?? 0)) * 100) / 100]));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchStore(), null, 2));
}
