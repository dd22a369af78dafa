// Runs the Store conformance suite against the sqlite backend (files in a temp dir, removed after
// each test), plus what only sqlite promises: group commit, per-write failure inside a batch,
// compaction that really deletes rows, the automatic compactor's window, and openStore's layout.
import Database from "better-sqlite3";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Compactor } from "../../src/storage/compactor.js";
import { openStore } from "../../src/storage/open.js";
import { SqliteStore, type SqliteStoreOptions } from "../../src/storage/sqlite.js";
import { ConflictError, KeyExistsError, type Store } from "../../src/storage/store.js";
import { storeConformance } from "./conformance.js";

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "kubelite-sqlite-"));
}

/** Opens a store in dir, removing dir when the open fails. */
async function openIn(dir: string): Promise<SqliteStore> {
  try {
    return await SqliteStore.open(join(dir, "state.db"), { compaction: false });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

storeConformance("sqlite", async () => {
  const dir = await tempDir();
  const path = join(dir, "state.db");
  const opened: Store[] = [await openIn(dir)];
  return {
    store: opened[0] as Store,
    reopen: async () => {
      const store = await SqliteStore.open(path, { compaction: false });
      opened.push(store);
      return store;
    },
    cleanup: async () => {
      for (const store of opened) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

async function withSqlite(test: (store: SqliteStore, path: string) => Promise<void>, options: SqliteStoreOptions = { compaction: false }): Promise<void> {
  const dir = await tempDir();
  const path = join(dir, "state.db");
  const store = await SqliteStore.open(path, options).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  try {
    await test(store, path);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function logRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM log").pluck().get() as number;
  } finally {
    db.close();
  }
}

describe("sqlite store", () => {
  it("writes requested in the same turn are committed in one transaction", () => withSqlite(async (store) => {
    await store.create("/g/warmup", "1");
    const before = store.commitStats();
    await Promise.all(Array.from({ length: 32 }, (_, i) => store.create(`/g/k${i}`, "v")));
    const after = store.commitStats();
    assert.equal(after.writes - before.writes, 32);
    assert.equal(after.batches - before.batches, 1);
  }));

  it("a failing write in a batch fails only itself", () => withSqlite(async (store) => {
    const b = await store.create("/g/b", "1");
    const before = store.commitStats();
    const outcomes = await Promise.allSettled([
      store.create("/g/a", "first"),
      store.create("/g/a", "second"),
      store.update("/g/b", "2", b + 1),
      store.update("/g/b", "3", b),
      store.create("/g/c", "1"),
    ]);
    assert.equal(store.commitStats().batches - before.batches, 1);
    assert.deepEqual(outcomes.map((o) => o.status), ["fulfilled", "rejected", "rejected", "fulfilled", "fulfilled"]);
    assert.ok(outcomes[1]?.status === "rejected" && outcomes[1].reason instanceof KeyExistsError);
    assert.ok(outcomes[2]?.status === "rejected" && outcomes[2].reason instanceof ConflictError);
    assert.deepEqual((await store.list("/g/")).items.map((kv) => kv.value), ["first", "3", "1"]);
  }));

  it("compaction deletes superseded rows and tombstones from the database file", () => withSqlite(async (store, path) => {
    let revision = await store.create("/g/hot", "0");
    for (let i = 1; i <= 4500; i++) revision = await store.update("/g/hot", String(i), revision);
    await store.create("/g/gone", "x");
    const deleted = await store.delete("/g/gone");
    const kept = await store.create("/g/kept", "y");
    assert.equal(logRows(path), 4504);
    await store.compact(deleted.revision);
    assert.equal(logRows(path), 2);
    assert.deepEqual((await store.list("/g/")).items.map((kv) => [kv.key, kv.value]), [["/g/hot", "4500"], ["/g/kept", "y"]]);
    assert.equal((await store.list("/g/", { revision: deleted.revision })).items.length, 1);
    assert.equal(await store.currentRevision(), kept);
  }));

  it("the automatic compactor keeps the last keepRevisions revisions and the last keepMs of history", () => withSqlite(async (store) => {
    let now = 0;
    const compactor = new Compactor(store, { keepRevisions: 10, keepMs: 60_000, now: () => now });
    let revision = await store.create("/g/a", "0");
    for (let i = 0; i < 29; i++) revision = await store.update("/g/a", String(i), revision);
    assert.equal(await compactor.tick(), 0, "nothing is old enough yet");
    now = 30_000;
    for (let i = 0; i < 20; i++) revision = await store.update("/g/a", `b${i}`, revision);
    assert.equal(await compactor.tick(), 0);
    now = 60_000;
    assert.equal(await compactor.tick(), 30, "history older than keepMs goes");
    now = 90_000;
    assert.equal(await compactor.tick(), 40, "but keepRevisions are kept");
    assert.equal(await store.compactedRevision(), 40);
    await compactor.stop();
  }));

  it("openStore keeps the sqlite database at DATA_DIR/db/state.db", async () => {
    const dir = await tempDir();
    try {
      const store = await openStore({ backend: "sqlite", dataDir: join(dir, "data") });
      assert.equal(store.backend, "sqlite");
      await store.create("/g/a", "1");
      await store.close();
      assert.ok(existsSync(join(dir, "data", "db", "state.db")));
      const memory = await openStore({ backend: "memory", dataDir: dir });
      assert.equal(memory.backend, "memory");
      await memory.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
