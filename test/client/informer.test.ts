// The informer against the fake client: list then watch, events, re-list after 410 with the
// deletions it missed, resuming after a broken watch, indexes, frozen objects and resync.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { internalError } from "../../src/api/errors.js";
import type { KubeObject, ManagedFieldsEntry } from "../../src/api/resource.js";
import { CORE_V1 } from "../../src/client/client.js";
import { indexFuncs } from "../../src/client/indexer.js";
import { Informer, type InformerOptions } from "../../src/client/informer.js";
import { createLogger } from "../../src/log.js";
import { FakeClient, pod } from "./fake-client.js";
import { withoutManagedFields } from "../../src/api/patch/managed-fields.js";
import { FakeClock, waitUntil } from "./fake-clock.js";

const PODS = CORE_V1("pods");
const quiet = createLogger("error", () => undefined);

/** An informer on pods with a recorder of what its handler saw ("add ns/name" ...). */
async function started(client: FakeClient, options: InformerOptions = {}) {
  const clock = new FakeClock();
  const informer = new Informer(client, PODS, { clock, logger: quiet, ...options });
  const seen: string[] = [];
  const name = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
  informer.addEventHandler({
    onAdd: (o) => seen.push(`add ${name(o)}`),
    onUpdate: (a, b) => seen.push(`update ${name(b)} ${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
    onDelete: (o, unknown) => seen.push(`delete ${name(o)}${unknown ? " (final state unknown)" : ""}`),
  });
  informer.start();
  assert.equal(await informer.waitForSync(), true);
  return { clock, informer, seen };
}

describe("informer", () => {
  it("lists, then sees adds, updates and deletes through the watch", async () => {
    const client = new FakeClient();
    await client.create(PODS, "default", pod("p1"));
    const { informer, seen } = await started(client);
    assert.equal(informer.hasSynced(), true);
    assert.deepEqual(seen, ["add default/p1"]);

    await client.create(PODS, "default", pod("p2"));
    const p1 = await client.get(PODS, "default", "p1");
    await client.update(PODS, "default", { ...p1, metadata: { ...p1.metadata, labels: { a: "b" } } });
    await client.delete(PODS, "default", "p2");
    await waitUntil(() => seen.length === 4, "four events");
    assert.deepEqual(seen, ["add default/p1", "add default/p2", "update default/p1 1->3", "delete default/p2"]);
    assert.deepEqual(informer.keys(), ["default/p1"]);
    assert.deepEqual(informer.get("default/p1")?.metadata?.labels, { a: "b" });
    assert.equal(informer.lastSyncResourceVersion, "4");
    await informer.stop();
    assert.equal(client.openWatches(), 0);
  });

  it("re-lists when its watch expires and reports the deletions it missed", async () => {
    const client = new FakeClient();
    await client.create(PODS, "default", pod("p1"));
    await client.create(PODS, "default", pod("p2"));
    const { informer, seen } = await started(client);
    client.dropEvents = true;
    await client.delete(PODS, "default", "p1");
    const p2 = await client.get(PODS, "default", "p2");
    await client.update(PODS, "default", { ...p2, metadata: { ...p2.metadata, labels: { changed: "yes" } } });
    await client.create(PODS, "default", pod("p3"));
    client.dropEvents = false;
    client.expireWatches();
    await waitUntil(() => seen.length === 5, "the relist's events");
    assert.deepEqual(seen.slice(2).sort(), ["add default/p3", "delete default/p1 (final state unknown)", "update default/p2 2->4"]);
    assert.deepEqual(informer.keys().sort(), ["default/p2", "default/p3"]);
    assert.equal(client.lists.length, 2);
    assert.equal(client.watches.at(-1)?.options.resourceVersion, "5", "watches again from the new list");
    await informer.stop();
  });

  it("after a broken watch, backs off and resumes from the last resourceVersion without re-listing", async () => {
    const client = new FakeClient();
    await client.create(PODS, "default", pod("p1"));
    const { clock, informer, seen } = await started(client);
    client.breakWatches();
    await client.create(PODS, "default", pod("p2"));
    await clock.advance(799);
    assert.equal(client.openWatches(), 0, "waits 800 ms before retrying");
    await clock.advance(1);
    await waitUntil(() => seen.includes("add default/p2"), "the missed add, replayed by the new watch");
    assert.equal(client.lists.length, 1);
    assert.equal(client.watches.at(-1)?.options.resourceVersion, "1");
    await informer.stop();
  });

  it("retries a failed list with backoff before it syncs", async () => {
    const client = new FakeClient();
    client.failNext("list", internalError("store unavailable"));
    const clock = new FakeClock();
    const informer = new Informer(client, PODS, { clock, logger: quiet });
    informer.start();
    await clock.advance(0);
    assert.equal(informer.hasSynced(), false);
    await clock.advance(800);
    assert.equal(await informer.waitForSync(), true);
    assert.equal(client.lists.length, 2);
    await informer.stop();
  });

  it("pages through large lists", async () => {
    const client = new FakeClient();
    for (let i = 0; i < 7; i++) await client.create(PODS, "default", pod(`p${i}`));
    const { informer } = await started(client, { pageSize: 3 });
    assert.equal(informer.size, 7);
    assert.deepEqual(client.lists.map((l) => l.options.continue), [undefined, "3", "6"]);
    await informer.stop();
  });

  it("indexes by namespace and by registered indexers, before and after start", async () => {
    const client = new FakeClient();
    await client.create(PODS, "a", pod("p1", { nodeName: "n1", owner: "rs1", labels: { app: "web" } }));
    await client.create(PODS, "b", pod("p2", { nodeName: "n2", owner: "rs1", labels: { app: "db" } }));
    const clock = new FakeClock();
    const informer = new Informer(client, PODS, { clock, logger: quiet });
    informer.addIndexer("nodeName", indexFuncs.nodeName);
    informer.start();
    await informer.waitForSync();
    informer.addIndexer("ownerUid", indexFuncs.ownerUid);
    informer.addIndexer("label:app", indexFuncs.label("app"));
    const names = (objs: KubeObject[]) => objs.map((o) => o.metadata?.name).sort();
    assert.deepEqual(names(informer.list("a")), ["p1"]);
    assert.deepEqual(names(informer.byIndex("nodeName", "n2")), ["p2"]);
    assert.deepEqual(names(informer.byIndex("ownerUid", "uid-rs1")), ["p1", "p2"]);
    assert.deepEqual(names(informer.byIndex("label:app", "web")), ["p1"]);
    assert.throws(() => informer.byIndex("nope", "x"), /no index named "nope"/);

    const p1 = await client.get(PODS, "a", "p1");
    await client.update(PODS, "a", { ...p1, spec: { nodeName: "n2" } });
    await client.delete(PODS, "b", "p2");
    await waitUntil(() => informer.size === 1 && informer.byIndex("nodeName", "n2").length === 1, "the index to follow");
    assert.deepEqual(names(informer.byIndex("nodeName", "n2")), ["p1"]);
    assert.deepEqual(informer.byIndex("nodeName", "n1"), []);
    assert.deepEqual(names(informer.byIndex("ownerUid", "uid-rs1")), ["p1"]);
    await informer.stop();
  });

  it("shares frozen objects: a consumer mutating one fails loudly", async () => {
    const client = new FakeClient();
    await client.create(PODS, "default", pod("p1", { labels: { a: "b" } }));
    const { informer } = await started(client);
    const cached = informer.get("default/p1");
    assert.ok(cached);
    assert.throws(() => {
      (cached.metadata!.labels as Record<string, string>).a = "c";
    }, TypeError);
    assert.equal(informer.get("default/p1"), cached, "the same instance for every reader");
    await informer.stop();
  });

  it("caches what its transform makes of listed and watched objects, frozen", async () => {
    const client = new FakeClient();
    const managed: ManagedFieldsEntry[] = [{ manager: "kubectl", operation: "Update", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: {} }];
    const withManaged = (name: string): KubeObject => ({ ...pod(name), metadata: { name, managedFields: managed } });
    await client.create(PODS, "default", withManaged("p1"));
    const { informer } = await started(client, { transform: withoutManagedFields });
    await client.create(PODS, "default", withManaged("p2"));
    await waitUntil(() => informer.get("default/p2") !== undefined, "the watched pod");
    for (const key of ["default/p1", "default/p2"]) {
      const cached = informer.get(key);
      assert.equal(cached?.metadata?.managedFields, undefined, key);
      assert.equal(cached?.metadata?.name, key.split("/")[1]);
      assert.ok(Object.isFrozen(cached));
    }
    assert.deepEqual((await client.get(PODS, "default", "p1")).metadata?.managedFields, managed, "the client's object is left as it was");
    await informer.stop();
  });

  it("gives a handler added late every cached object as an add", async () => {
    const client = new FakeClient();
    await client.create(PODS, "default", pod("p1"));
    await client.create(PODS, "default", pod("p2"));
    const { informer } = await started(client);
    const late: string[] = [];
    const remove = informer.addEventHandler({ onAdd: (o) => late.push(o.metadata?.name ?? "") });
    assert.deepEqual(late.sort(), ["p1", "p2"]);
    remove();
    await client.create(PODS, "default", pod("p3"));
    await waitUntil(() => informer.size === 3, "p3 cached");
    assert.equal(late.length, 2, "removed handlers hear nothing");
    await informer.stop();
  });

  it("keeps delivering to other handlers when one throws", async () => {
    const client = new FakeClient();
    const { informer, seen } = await started(client);
    informer.addEventHandler({ onAdd: () => { throw new Error("boom"); } });
    await client.create(PODS, "default", pod("p1"));
    await waitUntil(() => seen.includes("add default/p1"), "the add");
    await informer.stop();
  });

  it("resyncs every period with onUpdate(obj, obj)", async () => {
    const client = new FakeClient();
    await client.create(PODS, "default", pod("p1"));
    const { clock, informer, seen } = await started(client, { resyncPeriodMs: 30_000 });
    await clock.advance(29_999);
    assert.deepEqual(seen, ["add default/p1"]);
    await clock.advance(1);
    assert.deepEqual(seen, ["add default/p1", "update default/p1 1->1"]);
    await clock.advance(30_000);
    assert.equal(seen.length, 3);
    await informer.stop();
  });

  it("only sees what its namespace and selectors select", async () => {
    const client = new FakeClient();
    await client.create(PODS, "a", pod("p1", { labels: { app: "web" } }));
    await client.create(PODS, "a", pod("p2", { labels: { app: "db" } }));
    await client.create(PODS, "b", pod("p3", { labels: { app: "web" } }));
    const { informer } = await started(client, { namespace: "a", labelSelector: "app=web" });
    await client.create(PODS, "a", pod("p4", { labels: { app: "web" } }));
    await client.create(PODS, "b", pod("p5", { labels: { app: "web" } }));
    await waitUntil(() => informer.size === 2, "p4");
    assert.deepEqual(informer.keys().sort(), ["a/p1", "a/p4"]);
    await informer.stop();
  });

  it("waitForSync resolves false when stopped before the first list", async () => {
    const client = new FakeClient();
    client.failNext("list", internalError("down"));
    const informer = new Informer(client, PODS, { clock: new FakeClock(), logger: quiet });
    informer.start();
    const synced = informer.waitForSync();
    await informer.stop();
    assert.equal(await synced, false);
  });
});
