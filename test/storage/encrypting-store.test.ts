// The encrypting Store: it passes the whole conformance suite (every key encrypted, on sqlite, with
// reopen), the database file holds no plaintext of an encrypted value, a sealed value moved under
// another key does not open, values from before encryption are read and sealed by a rewrite, and a
// key rotation leaves every value sealed with the new primary key.
import Database from "better-sqlite3";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AESGCM_PREFIX, DecryptionError } from "../../src/storage/encryption/aes-gcm.js";
import { EncryptionKeys } from "../../src/storage/encryption/encryption-keys.js";
import { EncryptingStore } from "../../src/storage/encrypting-store.js";
import { SqliteStore } from "../../src/storage/sqlite.js";
import type { Store } from "../../src/storage/store.js";
import { storeConformance } from "./conformance.js";

storeConformance("encrypting sqlite", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kubelite-encrypting-"));
  const keys = await EncryptionKeys.loadOrCreate(dir);
  const path = join(dir, "state.db");
  const opened: Store[] = [new EncryptingStore(await SqliteStore.open(path, { compaction: false }), keys, ["/"])];
  return {
    store: opened[0]!,
    reopen: async () => {
      const store = new EncryptingStore(await SqliteStore.open(path, { compaction: false }), await EncryptionKeys.loadOrCreate(dir), ["/"]);
      opened.push(store);
      return store;
    },
    cleanup: async () => {
      for (const store of opened) await store.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
});

async function withStore(test: (ctx: { dir: string; inner: SqliteStore; store: EncryptingStore; keys: EncryptionKeys }) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "kubelite-encrypting-"));
  const inner = await SqliteStore.open(join(dir, "state.db"), { compaction: false });
  const keys = await EncryptionKeys.loadOrCreate(dir);
  try {
    await test({ dir, inner, store: new EncryptingStore(inner, keys), keys });
  } finally {
    await inner.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

describe("encrypting store", () => {
  it("keeps Secrets out of the database file and leaves other values as they are", () =>
    withStore(async ({ dir, inner, store }) => {
      await store.create("/registry/secrets/default/db", JSON.stringify({ data: { password: "hunter2-very-secret" } }));
      await store.create("/registry/configmaps/default/cm", JSON.stringify({ data: { greeting: "plain-hello" } }));
      assert.match((await store.get("/registry/secrets/default/db"))!.value, /hunter2-very-secret/);
      assert.ok((await inner.get("/registry/secrets/default/db"))!.value.startsWith(AESGCM_PREFIX));
      assert.match((await inner.get("/registry/configmaps/default/cm"))!.value, /plain-hello/);
      await inner.close();
      const db = new Database(join(dir, "state.db"));
      db.pragma("wal_checkpoint(TRUNCATE)");
      db.close();
      const file = await readFile(join(dir, "state.db"));
      assert.equal(file.includes("hunter2-very-secret"), false);
      assert.equal(file.includes("plain-hello"), true);
    }));

  it("refuses a sealed value moved under another key", () =>
    withStore(async ({ inner, store }) => {
      await store.create("/registry/secrets/a/x", "{}");
      await inner.create("/registry/secrets/b/x", (await inner.get("/registry/secrets/a/x"))!.value);
      await assert.rejects(store.get("/registry/secrets/b/x"), (err) => err instanceof DecryptionError && /authentication failed/.test(err.message));
    }));

  it("reads values written before encryption and seals them on a rewrite; a rotation re-seals everything", () =>
    withStore(async ({ inner, store, keys }) => {
      await inner.create("/registry/secrets/default/old", '{"data":{"k":"djE="}}');
      await store.create("/registry/secrets/default/new", '{"data":{"k":"djI="}}');
      assert.equal((await store.get("/registry/secrets/default/old"))!.value, '{"data":{"k":"djE="}}');
      const first = keys.primary.name;
      assert.deepEqual(await store.usage(), { identity: 1, [first]: 1 });
      assert.deepEqual(await store.rewriteStale(), { rewritten: 1, current: 1 });

      const second = (await keys.addPrimary(new Date())).name;
      assert.deepEqual(await store.rewriteStale(), { rewritten: 2, current: 0 });
      await keys.dropAllButPrimary();
      assert.deepEqual(await store.usage(), { [second]: 2 });
      assert.equal((await store.get("/registry/secrets/default/old"))!.value, '{"data":{"k":"djE="}}');
      assert.deepEqual(keys.names(), [second]);
    }));
});
