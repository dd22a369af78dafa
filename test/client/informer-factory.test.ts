// The informer factory: one shared informer, and one watch, per resource and selector.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { APPS_V1, CORE_V1 } from "../../src/client/client.js";
import { InformerFactory } from "../../src/client/informer-factory.js";
import { createLogger } from "../../src/log.js";
import { FakeClient, pod } from "./fake-client.js";
import { FakeClock, waitUntil } from "./fake-clock.js";

const PODS = CORE_V1("pods");
const quiet = createLogger("error", () => undefined);

describe("informer factory", () => {
  it("shares one informer and one watch between two consumers", async () => {
    const client = new FakeClient();
    await client.create(PODS, "default", pod("p1"));
    const factory = new InformerFactory(client, { clock: new FakeClock(), logger: quiet });
    const forScheduler = factory.informerFor(PODS);
    const forReplicaSets = factory.informerFor(CORE_V1("pods"));
    assert.equal(forScheduler, forReplicaSets);
    const first: string[] = [];
    const second: string[] = [];
    forScheduler.addEventHandler({ onAdd: (o) => first.push(o.metadata?.name ?? "") });
    forReplicaSets.addEventHandler({ onAdd: (o) => second.push(o.metadata?.name ?? "") });
    factory.start();
    assert.equal(await factory.waitForSync(), true);
    await client.create(PODS, "default", pod("p2"));
    await waitUntil(() => first.length === 2 && second.length === 2, "both consumers to see p2");
    assert.equal(client.watches.length, 1);
    assert.equal(client.lists.length, 1);
    await factory.stop();
  });

  it("keeps different resources, namespaces and selectors apart", () => {
    const factory = new InformerFactory(new FakeClient(), { logger: quiet });
    const all = factory.informerFor(PODS);
    assert.notEqual(factory.informerFor(PODS, { namespace: "a" }), all);
    assert.notEqual(factory.informerFor(PODS, { labelSelector: "app=web" }), all);
    assert.notEqual(factory.informerFor(PODS, { fieldSelector: "spec.nodeName=n1" }), all);
    assert.notEqual(factory.informerFor(APPS_V1("replicasets")), all);
    assert.equal(factory.informerFor(PODS, { namespace: "a" }), factory.informerFor(PODS, { namespace: "a" }));
  });

  it("starts informers requested after start, and waitForSync covers them", async () => {
    const client = new FakeClient();
    const factory = new InformerFactory(client, { clock: new FakeClock(), logger: quiet });
    factory.informerFor(PODS);
    factory.start();
    const late = factory.informerFor(APPS_V1("replicasets"));
    assert.equal(await factory.waitForSync(), true);
    assert.equal(late.hasSynced(), true);
    await factory.stop();
    assert.equal(client.openWatches(), 0);
    assert.throws(() => factory.informerFor(PODS), /stopped/);
  });
});
