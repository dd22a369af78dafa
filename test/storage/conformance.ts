// The Store conformance suite (like apiserver's pkg/storage/testing/store_tests.go): every backend
// registers it with its own opener and must pass all of it. It checks etcd's semantics as the API
// relies on them: revisions, create/CAS update/delete, list with pagination and at a revision,
// count, ordered exactly-once watch with replay, compaction, concurrency and (when the backend
// persists) close and reopen. Waits are on conditions with a deadline, never sleeps.
import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import {
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  type KeyValue,
  type Store,
} from "../../src/storage/store.js";
import { Recorder } from "./watch-recorder.js";

export interface OpenedStore {
  store: Store;
  /** Opens the same data again after store.close(); absent when the backend keeps nothing. */
  reopen?: () => Promise<Store>;
  /** Closes whatever is still open and removes the data. */
  cleanup(): Promise<void>;
}

type Opener = () => Promise<OpenedStore>;

function strictlyIncreasing(revisions: number[]): boolean {
  return revisions.every((r, i) => i === 0 || r > (revisions[i - 1] as number));
}

function keysOf(items: KeyValue[]): string[] {
  return items.map((kv) => kv.key);
}

type StoreTest = (store: Store, opened: OpenedStore, t: TestContext) => Promise<void>;

function withStore(open: Opener, test: StoreTest): (t: TestContext) => Promise<void> {
  return async (t) => {
    const opened = await open();
    try {
      await test(opened.store, opened, t);
    } finally {
      await opened.cleanup();
    }
  };
}

export function storeConformance(name: string, open: Opener): void {
  describe(`${name} store`, () => {
    writeCases(open);
    readCases(open);
    listAtRevisionCases(open);
    watchCases(open);
    compactionCases(open);
    concurrencyCases(open);
    persistenceCases(open);
  });
}

function writeCases(open: Opener): void {
  describe("writes", () => {
    it("every write returns a revision greater than the one before, and currentRevision follows it", withStore(open, async (store) => {
      assert.equal(await store.currentRevision(), 0);
      const created = await store.create("/w/a", "1");
      const updated = await store.update("/w/a", "2", created);
      const second = await store.create("/w/b", "1");
      const deleted = await store.delete("/w/a");
      assert.ok(strictlyIncreasing([0, created, updated, second, deleted.revision]));
      assert.equal(await store.currentRevision(), deleted.revision);
    }));

    it("create fails with KeyExistsError when the key is present", withStore(open, async (store) => {
      const revision = await store.create("/w/a", "first");
      await assert.rejects(store.create("/w/a", "second"), (err) => err instanceof KeyExistsError && err.key === "/w/a");
      assert.equal((await store.get("/w/a"))?.value, "first");
      assert.equal(await store.currentRevision(), revision);
    }));

    it("create after delete starts the key again with a new createRevision", withStore(open, async (store) => {
      await store.create("/w/a", "1");
      await store.delete("/w/a");
      const again = await store.create("/w/a", "2");
      assert.deepEqual(await store.get("/w/a"), { key: "/w/a", value: "2", createRevision: again, modRevision: again });
    }));

    it("update replaces the value when the expected revision matches", withStore(open, async (store) => {
      const created = await store.create("/w/a", "1");
      const updated = await store.update("/w/a", "2", created);
      assert.deepEqual(await store.get("/w/a"), { key: "/w/a", value: "2", createRevision: created, modRevision: updated });
    }));

    it("update fails with a conflict when the revision is stale", withStore(open, async (store) => {
      const created = await store.create("/w/a", "1");
      const updated = await store.update("/w/a", "2", created);
      await assert.rejects(store.update("/w/a", "3", created), (err) =>
        err instanceof ConflictError && err.key === "/w/a" && err.expectedRevision === created && err.actualRevision === updated);
      assert.equal((await store.get("/w/a"))?.value, "2");
    }));

    it("update fails with KeyNotFoundError when the key is absent", withStore(open, async (store) => {
      await assert.rejects(store.update("/w/missing", "1", 1), (err) => err instanceof KeyNotFoundError && err.key === "/w/missing");
    }));

    it("delete without expectedRevision removes the key and returns its last value", withStore(open, async (store) => {
      const created = await store.create("/w/a", "1");
      const updated = await store.update("/w/a", "2", created);
      const { revision, prev } = await store.delete("/w/a");
      assert.ok(revision > updated);
      assert.deepEqual(prev, { key: "/w/a", value: "2", createRevision: created, modRevision: updated });
      assert.equal(await store.get("/w/a"), undefined);
    }));

    it("delete with the current expectedRevision removes the key", withStore(open, async (store) => {
      const created = await store.create("/w/a", "1");
      const { prev } = await store.delete("/w/a", created);
      assert.equal(prev.value, "1");
      assert.equal(await store.get("/w/a"), undefined);
    }));

    it("delete fails with a conflict when expectedRevision is stale and keeps the key", withStore(open, async (store) => {
      const created = await store.create("/w/a", "1");
      const updated = await store.update("/w/a", "2", created);
      await assert.rejects(store.delete("/w/a", created), (err) => err instanceof ConflictError && err.actualRevision === updated);
      assert.equal((await store.get("/w/a"))?.value, "2");
    }));

    it("delete fails with KeyNotFoundError when the key is absent", withStore(open, async (store) => {
      await assert.rejects(store.delete("/w/missing"), KeyNotFoundError);
    }));

    it("failed writes do not move the current revision", withStore(open, async (store) => {
      const created = await store.create("/w/a", "1");
      await assert.rejects(store.create("/w/a", "1"), KeyExistsError);
      await assert.rejects(store.update("/w/a", "2", created + 100), ConflictError);
      await assert.rejects(store.delete("/w/b"), KeyNotFoundError);
      assert.equal(await store.currentRevision(), created);
      assert.ok((await store.create("/w/b", "1")) > created);
    }));
  });
}

function readCases(open: Opener): void {
  describe("reads", () => {
    it("get returns the value with its createRevision and modRevision, and undefined when absent", withStore(open, async (store) => {
      const created = await store.create("/r/a", '{"kind":"Pod"}');
      const updated = await store.update("/r/a", '{"kind":"Pod","x":1}', created);
      assert.deepEqual(await store.get("/r/a"), { key: "/r/a", value: '{"kind":"Pod","x":1}', createRevision: created, modRevision: updated });
      assert.equal(await store.get("/r/absent"), undefined);
    }));

    it("list returns only the keys under the prefix, in key order, with their revisions", withStore(open, async (store) => {
      const inside = ["/registry/pods/ns/b", "/registry/pods/ns/a", "/registry/pods/default/z", "/registry/pods/ns/a-1"];
      const outside = ["/registry/pods", "/registry/podsx/ns/a", "/registry/pod/ns/a", "/registry/services/ns/a"];
      const revisions = new Map<string, number>();
      for (const key of [...inside, ...outside]) revisions.set(key, await store.create(key, `v:${key}`));
      const listed = await store.list("/registry/pods/");
      assert.deepEqual(keysOf(listed.items), [...inside].sort());
      for (const kv of listed.items) {
        assert.deepEqual(kv, { key: kv.key, value: `v:${kv.key}`, createRevision: revisions.get(kv.key), modRevision: revisions.get(kv.key) });
      }
      assert.equal(listed.more, false);
    }));

    it("list reports the revision it was read at", withStore(open, async (store) => {
      await store.create("/r/a", "1");
      const last = await store.create("/other/b", "1");
      assert.equal((await store.list("/r/")).revision, last);
      assert.equal((await store.list("/empty/")).revision, last);
    }));

    it("list pages with limit and startAfter and says whether more keys follow", withStore(open, async (store) => {
      const keys = Array.from({ length: 10 }, (_, i) => `/p/k${String(i).padStart(2, "0")}`);
      for (const key of keys) await store.create(key, key);
      const pages: string[][] = [];
      let startAfter: string | undefined;
      for (;;) {
        const page = await store.list("/p/", { limit: 3, startAfter });
        pages.push(keysOf(page.items));
        if (!page.more) break;
        startAfter = page.items.at(-1)?.key;
      }
      assert.deepEqual(pages, [keys.slice(0, 3), keys.slice(3, 6), keys.slice(6, 9), keys.slice(9)]);
      const exact = await store.list("/p/", { limit: 10 });
      assert.equal(exact.items.length, 10);
      assert.equal(exact.more, false);
    }));

    it("count counts the keys under a prefix at the current revision", withStore(open, async (store) => {
      for (const key of ["/c/a", "/c/b", "/c/c", "/cx/a", "/d/a"]) await store.create(key, "1");
      await store.delete("/c/b");
      assert.equal(await store.count("/c/"), 2);
      assert.equal(await store.count("/c"), 3);
      assert.equal(await store.count("/none/"), 0);
      assert.equal(await store.count(""), 4);
    }));
  });
}

function listAtRevisionCases(open: Opener): void {
  describe("list at a revision", () => {
    it("list at an older revision shows the state as of that revision", withStore(open, async (store) => {
      const a = await store.create("/h/a", "a1");
      await store.create("/h/b", "b1");
      const at = await store.update("/h/a", "a2", a);
      await store.update("/h/a", "a3", at);
      await store.delete("/h/b");
      await store.create("/h/c", "c1");
      const then = await store.list("/h/", { revision: at });
      assert.equal(then.revision, at);
      assert.deepEqual(then.items.map((kv) => [kv.key, kv.value, kv.modRevision]), [["/h/a", "a2", at], ["/h/b", "b1", at - 1]]);
      assert.deepEqual((await store.list("/h/")).items.map((kv) => kv.value), ["a3", "c1"]);
    }));

    it("pages at a fixed revision stay consistent while writes happen between them", withStore(open, async (store) => {
      const keys = Array.from({ length: 10 }, (_, i) => `/f/k${i}`);
      const revisions = new Map<string, number>();
      for (const key of keys) revisions.set(key, await store.create(key, `old:${key}`));
      const first = await store.list("/f/", { limit: 4 });
      await store.delete("/f/k5");
      await store.update("/f/k7", "new", revisions.get("/f/k7") as number);
      await store.create("/f/k4a", "inserted");
      await store.create("/f/k99", "appended");
      const seen = [...first.items];
      let last = first;
      while (last.more) {
        last = await store.list("/f/", { limit: 4, startAfter: last.items.at(-1)?.key, revision: first.revision });
        assert.equal(last.revision, first.revision);
        seen.push(...last.items);
      }
      assert.deepEqual(seen.map((kv) => [kv.key, kv.value]), keys.map((k) => [k, `old:${k}`]));
      assert.deepEqual(keysOf((await store.list("/f/")).items), ["/f/k0", "/f/k1", "/f/k2", "/f/k3", "/f/k4", "/f/k4a", "/f/k6", "/f/k7", "/f/k8", "/f/k9", "/f/k99"]);
    }));

    it("pages at an older revision skip keys deleted before it", withStore(open, async (store) => {
      for (const key of ["/d/a", "/d/b", "/d/c", "/d/d", "/d/e"]) await store.create(key, key);
      await store.delete("/d/b");
      await store.delete("/d/c");
      const at = await store.currentRevision();
      await store.create("/d/bb", "later");
      const first = await store.list("/d/", { limit: 2, revision: at });
      const second = await store.list("/d/", { limit: 2, revision: at, startAfter: first.items.at(-1)?.key });
      assert.deepEqual([keysOf(first.items), first.more, keysOf(second.items), second.more], [["/d/a", "/d/d"], true, ["/d/e"], false]);
    }));

    it("list at a revision newer than the current one fails with FutureRevisionError", withStore(open, async (store) => {
      const revision = await store.create("/h/a", "1");
      await assert.rejects(store.list("/h/", { revision: revision + 5 }), FutureRevisionError);
    }));
  });
}

function watchCases(open: Opener): void {
  describe("watch", () => {
    it("watch delivers every later change in order exactly once, with the prev value", withStore(open, async (store) => {
      const before = await store.create("/x/old", "old");
      const watch = new Recorder();
      const handle = store.watch("/x/", before, watch.callbacks);
      const created = await store.create("/x/a", "1");
      const updated = await store.update("/x/a", "2", created);
      const deleted = await store.delete("/x/a");
      await watch.untilRevision(deleted.revision);
      handle.stop();
      assert.deepEqual(watch.events, [
        { type: "put", kv: { key: "/x/a", value: "1", createRevision: created, modRevision: created } },
        { type: "put", kv: { key: "/x/a", value: "2", createRevision: created, modRevision: updated }, prev: { key: "/x/a", value: "1", createRevision: created, modRevision: created } },
        { type: "delete", kv: { key: "/x/a", value: "2", createRevision: created, modRevision: deleted.revision } },
      ]);
    }));

    it("watch from an earlier revision replays history the same way, then continues live", withStore(open, async (store) => {
      const created = await store.create("/x/a", "1");
      const updated = await store.update("/x/a", "2", created);
      const deleted = await store.delete("/x/a");
      const watch = new Recorder();
      const handle = store.watch("/x/", 0, watch.callbacks);
      await watch.untilRevision(deleted.revision);
      const live = await store.create("/x/b", "live");
      await watch.untilRevision(live);
      handle.stop();
      assert.deepEqual(watch.revisions, [created, updated, deleted.revision, live]);
      assert.deepEqual(watch.events[1], { type: "put", kv: { key: "/x/a", value: "2", createRevision: created, modRevision: updated }, prev: { key: "/x/a", value: "1", createRevision: created, modRevision: created } });
      assert.deepEqual(watch.events[2], { type: "delete", kv: { key: "/x/a", value: "2", createRevision: created, modRevision: deleted.revision } });
    }));

    it("watch delivers changes made while it replays, with no gap and no duplicate", withStore(open, async (store) => {
      const expected: number[] = [];
      for (let start = 0; start < 2500; start += 250) {
        const batch = Array.from({ length: 250 }, (_, i) => store.create(`/x/k${start + i}`, "v"));
        expected.push(...(await Promise.all(batch)));
      }
      const watch = new Recorder();
      const handle = store.watch("/x/", 0, watch.callbacks);
      const during = Array.from({ length: 200 }, (_, i) => store.update(`/x/k${i}`, "changed", expected[i] as number));
      const racing = await Promise.all([...during, store.delete("/x/k2000").then((d) => d.revision)]);
      expected.push(...racing);
      const sentinel = await store.create("/x/sentinel", "end");
      expected.push(sentinel);
      await watch.untilRevision(sentinel);
      handle.stop();
      assert.ok(strictlyIncreasing(watch.revisions), "events arrive in revision order");
      assert.deepEqual(watch.revisions, [...expected].sort((a, b) => a - b));
    }));

    it("watch callbacks never run before watch() returns", withStore(open, async (store) => {
      const revision = await store.create("/x/a", "1");
      const watch = new Recorder();
      const handle = store.watch("/x/", 0, watch.callbacks);
      assert.equal(watch.events.length, 0);
      await watch.untilRevision(revision);
      handle.stop();
    }));

    it("a watch whose callback throws ends with onError carrying that error", withStore(open, async (store) => {
      const failing = new Recorder();
      const barrier = new Recorder();
      const thrown = new Error("consumer bug");
      store.watch("/x/", 0, { onEvent: () => { throw thrown; }, onError: failing.callbacks.onError });
      const handle = store.watch("/x/", 0, barrier.callbacks);
      await store.create("/x/a", "1");
      const second = await store.create("/x/b", "1");
      await barrier.untilRevision(second);
      handle.stop();
      assert.equal(failing.error, thrown);
    }));

    it("watch only sees keys under its prefix", withStore(open, async (store) => {
      const watch = new Recorder();
      const handle = store.watch("/registry/pods/", 0, watch.callbacks);
      await store.create("/registry/podsx/a", "1");
      await store.create("/registry/pod", "1");
      const inside = await store.create("/registry/pods/ns/a", "1");
      await store.create("/registry/services/ns/a", "1");
      const last = await store.create("/registry/pods/ns/b", "1");
      await watch.untilRevision(last);
      handle.stop();
      assert.deepEqual(watch.revisions, [inside, last]);
    }));

    it("a stopped watch receives no further events", withStore(open, async (store) => {
      const stopped = new Recorder();
      const barrier = new Recorder();
      store.watch("/s/", 0, stopped.callbacks).stop();
      const handle = store.watch("/s/", 0, barrier.callbacks);
      const revision = await store.create("/s/a", "1");
      await barrier.untilRevision(revision);
      handle.stop();
      assert.deepEqual(stopped.events, []);
      assert.equal(stopped.error, undefined);
    }));
  });
}

function compactionCases(open: Opener): void {
  describe("compaction", () => {
    it("watch from a compacted revision fails with CompactedError and delivers nothing", withStore(open, async (store) => {
      const first = await store.create("/k/a", "1");
      const second = await store.update("/k/a", "2", first);
      const third = await store.create("/k/b", "1");
      await store.compact(third);
      assert.equal(await store.compactedRevision(), third);
      const watch = new Recorder();
      store.watch("/k/", second, watch.callbacks);
      await watch.until(() => watch.error !== undefined, "the compaction error");
      assert.ok(watch.error instanceof CompactedError, `got ${String(watch.error)}`);
      assert.equal(watch.error.requestedRevision, second);
      assert.equal(watch.error.compactedRevision, third);
      assert.deepEqual(watch.events, []);
    }));

    it("watch from the compacted revision itself still delivers every later change", withStore(open, async (store) => {
      const first = await store.create("/k/a", "1");
      await store.compact(first);
      const watch = new Recorder();
      const handle = store.watch("/k/", first, watch.callbacks);
      const updated = await store.update("/k/a", "2", first);
      await watch.untilRevision(updated);
      handle.stop();
      assert.deepEqual(watch.events, [{ type: "put", kv: { key: "/k/a", value: "2", createRevision: first, modRevision: updated }, prev: { key: "/k/a", value: "1", createRevision: first, modRevision: first } }]);
    }));

    it("list at a compacted revision fails with CompactedError", withStore(open, async (store) => {
      const first = await store.create("/k/a", "1");
      const second = await store.update("/k/a", "2", first);
      await store.create("/k/b", "1");
      await store.compact(second);
      await assert.rejects(store.list("/k/", { revision: first }), (err) =>
        err instanceof CompactedError && err.requestedRevision === first && err.compactedRevision === second);
      assert.deepEqual((await store.list("/k/", { revision: second })).items.map((kv) => kv.value), ["2"]);
    }));

    it("compaction keeps the latest value of every live key and forgets deleted ones", withStore(open, async (store) => {
      const a = await store.create("/k/a", "a1");
      const a2 = await store.update("/k/a", "a2", a);
      const a3 = await store.update("/k/a", "a3", a2);
      await store.create("/k/b", "b1");
      const c = await store.create("/k/c", "c1");
      const deleted = await store.delete("/k/b");
      await store.compact(deleted.revision);
      assert.deepEqual((await store.list("/k/")).items, [
        { key: "/k/a", value: "a3", createRevision: a, modRevision: a3 },
        { key: "/k/c", value: "c1", createRevision: c, modRevision: c },
      ]);
      assert.equal(await store.count("/k/"), 2);
      assert.equal(await store.currentRevision(), deleted.revision);
      assert.equal(await store.create("/k/d", "d1"), deleted.revision + 1);
    }));

    it("compacting at or below the compacted revision does nothing, and above the current one fails", withStore(open, async (store) => {
      const first = await store.create("/k/a", "1");
      const second = await store.update("/k/a", "2", first);
      await store.compact(second);
      await store.compact(first);
      assert.equal(await store.compactedRevision(), second);
      await assert.rejects(store.compact(second + 10), FutureRevisionError);
      assert.equal(await store.compactedRevision(), second);
    }));
  });
}

function concurrencyCases(open: Opener): void {
  describe("concurrency", () => {
    it("32 concurrent writers on distinct keys all succeed with distinct revisions", withStore(open, async (store) => {
      const writer = async (w: number): Promise<number[]> => {
        const revisions: number[] = [];
        for (let i = 0; i < 20; i++) revisions.push(await store.create(`/cc/w${w}/k${i}`, `${w}:${i}`));
        return revisions;
      };
      const revisions = (await Promise.all(Array.from({ length: 32 }, (_, w) => writer(w)))).flat();
      assert.equal(new Set(revisions).size, 640);
      assert.equal(await store.count("/cc/"), 640);
      assert.equal(await store.currentRevision(), Math.max(...revisions));
      assert.equal((await store.get("/cc/w31/k19"))?.value, "31:19");
    }));

    it("32 concurrent writers on one key produce exactly one compare-and-swap winner per round", withStore(open, async (store) => {
      let revision = await store.create("/cc/one", "start");
      for (let round = 0; round < 10; round++) {
        const attempts = Array.from({ length: 32 }, (_, w) => store.update("/cc/one", `r${round}w${w}`, revision));
        const outcomes = await Promise.allSettled(attempts);
        const winners = outcomes.flatMap((o, w) => (o.status === "fulfilled" ? [{ w, revision: o.value }] : []));
        assert.equal(winners.length, 1, `round ${round} has exactly one winner`);
        for (const o of outcomes) if (o.status === "rejected") assert.ok(o.reason instanceof ConflictError);
        const winner = winners[0] as { w: number; revision: number };
        assert.deepEqual(await store.get("/cc/one"), { key: "/cc/one", value: `r${round}w${winner.w}`, createRevision: 1, modRevision: winner.revision });
        revision = winner.revision;
      }
    }));

    it("32 concurrent creates of one key succeed exactly once", withStore(open, async (store) => {
      const outcomes = await Promise.allSettled(Array.from({ length: 32 }, (_, w) => store.create("/cc/new", `w${w}`)));
      assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 1);
      assert.ok(outcomes.every((o) => o.status === "fulfilled" || o.reason instanceof KeyExistsError));
    }));
  });
}

function persistenceCases(open: Opener): void {
  describe("close and reopen", () => {
    it("a reopened store keeps every key and its history and continues the revision sequence", withStore(open, async (store, opened, t) => {
      if (!opened.reopen) return t.skip("this backend keeps nothing across close");
      const a = await store.create("/o/a", "a1");
      const a2 = await store.update("/o/a", "a2", a);
      await store.create("/o/b", "b1");
      const last = (await store.delete("/o/b")).revision;
      await store.close();
      const again = await opened.reopen();
      assert.equal(await again.currentRevision(), last);
      assert.deepEqual((await again.list("/o/")).items, [{ key: "/o/a", value: "a2", createRevision: a, modRevision: a2 }]);
      assert.deepEqual((await again.list("/o/", { revision: a2 + 1 })).items.map((kv) => kv.key), ["/o/a", "/o/b"]);
      const watch = new Recorder();
      const handle = again.watch("/o/", a, watch.callbacks);
      const next = await again.create("/o/c", "c1");
      assert.equal(next, last + 1);
      await watch.untilRevision(next);
      handle.stop();
      assert.deepEqual(watch.revisions, [a2, a2 + 1, last, next]);
    }));

    it("a reopened store continues the revision sequence after compacting away a trailing delete", withStore(open, async (store, opened, t) => {
      if (!opened.reopen) return t.skip("this backend keeps nothing across close");
      await store.create("/o/a", "1");
      const { revision } = await store.delete("/o/a");
      await store.compact(revision);
      await store.close();
      const again = await opened.reopen();
      assert.equal(await again.currentRevision(), revision);
      assert.equal(await again.compactedRevision(), revision);
      assert.equal(await again.create("/o/a", "2"), revision + 1);
    }));
  });
}
