// The Client of a component on another thread, against a real server: its calls, errors and watches
// cross a MessageChannel to a ThreadClientHost and come back as the in-process client's would.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { MessageChannel } from "node:worker_threads";
import { StatusError } from "../../src/api/errors.js";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1, type WatchEventType } from "../../src/client/client.js";
import type { InProcessClient } from "../../src/client/in-process.js";
import { ThreadClient } from "../../src/client/thread-client.js";
import { ThreadClientHost } from "../../src/client/thread-client-host.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const CONFIGMAPS = CORE_V1("configmaps");
const ADMIN = { name: "thread-test", groups: ["system:masters", "system:authenticated"] };

describe("a client on another thread", () => {
  let server: TestServer;
  const channels: MessageChannel[] = [];

  before(async () => {
    server = await startTestServer();
  });

  after(async () => {
    for (const channel of channels) {
      channel.port1.close();
      channel.port2.close();
    }
    await server.close();
  });

  function connect(user = ADMIN, options: { withoutManagedFields?: boolean } = {}): { client: ThreadClient; host: ThreadClientHost } {
    const channel = new MessageChannel();
    channels.push(channel);
    const host = new ThreadClientHost(channel.port1, server.client(user, "thread-test") as InProcessClient, options);
    return { client: new ThreadClient(channel.port2), host };
  }

  it("creates, reads, lists, patches, updates and deletes", async () => {
    const { client } = connect();
    const created = await client.create(CONFIGMAPS, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { k: "1" } });
    assert.ok(created.metadata?.uid);
    assert.equal(created.metadata?.managedFields?.[0]?.manager, "thread-test");
    assert.deepEqual((await client.get(CONFIGMAPS, "default", "a")).data, { k: "1" });
    const listed = await client.list(CONFIGMAPS, { namespace: "default", fieldSelector: "metadata.name=a" });
    assert.deepEqual(listed.items.map((o) => o.metadata?.name), ["a"]);
    assert.ok(Number(listed.resourceVersion) >= Number(created.metadata?.resourceVersion));
    const patched = await client.patch(CONFIGMAPS, "default", "a", "merge", { data: { k: "2" } });
    assert.deepEqual(patched.data, { k: "2" });
    const updated = await client.update(CONFIGMAPS, "default", { ...patched, data: { k: "3" } });
    assert.deepEqual(updated.data, { k: "3" });
    await client.delete(CONFIGMAPS, "default", "a");
    await assert.rejects(client.get(CONFIGMAPS, "default", "a"), (err: unknown) => err instanceof StatusError && err.code === 404 && err.reason === "NotFound" && err.message === 'configmaps "a" not found');
  });

  it("leaves managedFields out of results, lists and watch events when the host is made without them", async () => {
    const { client } = connect(ADMIN, { withoutManagedFields: true });
    const seen: KubeObject[] = [];
    const listed = await client.list(CONFIGMAPS, { namespace: "default" });
    const handle = client.watch(CONFIGMAPS, { namespace: "default", resourceVersion: listed.resourceVersion }, { onEvent: (_type, obj) => seen.push(obj), onClose: () => {} });
    const created = await client.create(CONFIGMAPS, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "lean", labels: { a: "b" } }, data: { k: "1" } });
    assert.equal(created.metadata?.managedFields, undefined);
    assert.deepEqual(created.metadata?.labels, { a: "b" });
    const relisted = await client.list(CONFIGMAPS, { namespace: "default", fieldSelector: "metadata.name=lean" });
    assert.deepEqual(relisted.items.map((o) => [o.metadata?.name, o.metadata?.managedFields, o.metadata?.resourceVersion]), [["lean", undefined, created.metadata?.resourceVersion]]);
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
    handle.stop();
    assert.deepEqual([seen[0]?.metadata?.name, seen[0]?.metadata?.managedFields, seen[0]?.data], ["lean", undefined, { k: "1" }]);
    // The object itself keeps them.
    const full = await connect().client.get(CONFIGMAPS, "default", "lean");
    assert.equal(full.metadata?.managedFields?.[0]?.manager, "thread-test");
  });

  it("fails as the API does: a conflict, an invalid object, a forbidden call", async () => {
    const { client } = connect();
    const created = await client.create(CONFIGMAPS, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" } });
    await client.patch(CONFIGMAPS, "default", "b", "merge", { data: { x: "1" } });
    await assert.rejects(client.update(CONFIGMAPS, "default", created), (err: unknown) => err instanceof StatusError && err.code === 409 && err.reason === "Conflict");
    await assert.rejects(client.create(CONFIGMAPS, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Bad_Name" } }), (err: unknown) => err instanceof StatusError && err.code === 422 && err.details?.causes !== undefined);
    const stranger = connect({ name: "stranger", groups: ["system:authenticated"] }).client;
    await assert.rejects(stranger.get(CONFIGMAPS, "default", "b"), (err: unknown) => err instanceof StatusError && err.code === 403 && /cannot get resource "configmaps"/.test(err.message));
  });

  it("watches: every change in order, frozen, until stopped", async () => {
    const { client } = connect();
    const start = await client.list(CONFIGMAPS, { namespace: "default" });
    const seen: [WatchEventType, KubeObject][] = [];
    const handle = client.watch(CONFIGMAPS, { namespace: "default", resourceVersion: start.resourceVersion }, { onEvent: (type, object) => seen.push([type, object]), onClose: () => assert.fail("closed") });
    await client.create(CONFIGMAPS, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "w" } });
    await client.patch(CONFIGMAPS, "default", "w", "merge", { data: { a: "1" } });
    await client.delete(CONFIGMAPS, "default", "w");
    for (let i = 0; i < 100 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen.map(([type, o]) => `${type} ${o.metadata?.name}`), ["ADDED w", "MODIFIED w", "DELETED w"]);
    assert.ok(Object.isFrozen(seen[1]?.[1].data));
    handle.stop();
    await client.create(CONFIGMAPS, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "after-stop" } });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen.length, 3);
  });

  it("closes a watch that may not be made, with the reason", async () => {
    const stranger = connect({ name: "stranger", groups: ["system:authenticated"] }).client;
    const reason = await new Promise<{ expired: boolean; error?: Error }>((resolve) => {
      stranger.watch(CONFIGMAPS, { namespace: "default", resourceVersion: "0" }, { onEvent: () => assert.fail("event"), onClose: resolve });
    });
    assert.equal(reason.expired, false);
    assert.ok(reason.error instanceof StatusError && reason.error.code === 403);
  });

  it("binds a pod through its binding subresource", async () => {
    const { client } = connect();
    await client.create(CORE_V1("nodes"), undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "n1" } });
    await client.create(CORE_V1("pods"), "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "busybox" }] } });
    await client.createSubresource(CORE_V1("pods"), "default", "p", "binding", { apiVersion: "v1", kind: "Binding", metadata: { name: "p" }, target: { apiVersion: "v1", kind: "Node", name: "n1" } });
    assert.equal(((await client.get(CORE_V1("pods"), "default", "p")).spec as { nodeName?: string }).nodeName, "n1");
  });
});
