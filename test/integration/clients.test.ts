// One behaviour suite for both Client implementations (in-process and HTTP) against a real
// server: CRUD, selectors, compare-and-swap conflicts, the patch types, pod binding, and watch.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import type { StatusError } from "../../src/api/errors.js";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1, type Client, type WatchEventType } from "../../src/client/client.js";
import { HttpClient } from "../../src/client/http.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const CM = CORE_V1("configmaps");
const PODS = CORE_V1("pods");
const ADMIN = { name: "kubelite-admin", groups: ["system:masters", "system:authenticated"] };

function clientSuite(name: string, makeClient: (server: TestServer) => Promise<Client>, namespace: string) {
  describe(`the ${name} client`, () => {
    let server: TestServer;
    let client: Client;
    before(async () => {
      server = await startTestServer();
      client = await makeClient(server);
      await client.create(CORE_V1("namespaces"), undefined, { metadata: { name: namespace } });
    });
    after(() => server.close());

    const cm = (n: string, labels: Record<string, string> = {}): KubeObject => ({ metadata: { name: n, labels }, data: { v: "1" } });

    it("creates, reads, lists by label and deletes", async () => {
      const created = await client.create(CM, namespace, cm("one", { app: "a" }));
      assert.equal(created.kind, "ConfigMap");
      assert.ok(created.metadata?.uid);
      await client.create(CM, namespace, cm("two", { app: "b" }));
      assert.equal((await client.get(CM, namespace, "one")).metadata?.name, "one");
      const listed = await client.list(CM, { namespace, labelSelector: "app=a" });
      assert.deepEqual(listed.items.map((o) => o.metadata?.name), ["one"]);
      assert.match(listed.resourceVersion, /^\d+$/);
      await client.delete(CM, namespace, "two");
      await assert.rejects(client.get(CM, namespace, "two"), (err: StatusError) => err.code === 404);
    });

    it("refuses an update from a stale resourceVersion with 409", async () => {
      const current = await client.get(CM, namespace, "one");
      await client.update(CM, namespace, { ...current, data: { v: "2" } });
      await assert.rejects(client.update(CM, namespace, { ...current, data: { v: "3" } }), (err: StatusError) => err.code === 409 && err.reason === "Conflict");
    });

    it("patches with merge, strategic and apply patches", async () => {
      await client.patch(CM, namespace, "one", "merge", { data: { merged: "yes" } });
      await client.patch(CM, namespace, "one", "strategic", { metadata: { labels: { strategic: "yes" } } });
      const applied = await client.patch(CM, namespace, "applied", "apply", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "applied" }, data: { a: "1" } }, { fieldManager: "suite" });
      assert.equal((applied.data as Record<string, string>).a, "1");
      const one = await client.get(CM, namespace, "one");
      assert.equal((one.data as Record<string, string>).merged, "yes");
      assert.equal(one.metadata?.labels?.strategic, "yes");
    });

    it("binds a pod to a node once", async () => {
      await client.create(PODS, namespace, { metadata: { name: "web" }, spec: { containers: [{ name: "c", image: "busybox" }] } });
      const bound = await client.createSubresource(PODS, namespace, "web", "binding", { apiVersion: "v1", kind: "Binding", metadata: { name: "web" }, target: { apiVersion: "v1", kind: "Node", name: "node-1" } });
      assert.deepEqual([bound.kind, (bound as { status?: string }).status], ["Status", "Success"]);
      assert.equal(((await client.get(PODS, namespace, "web")).spec as { nodeName: string }).nodeName, "node-1");
      await assert.rejects(
        client.createSubresource(PODS, namespace, "web", "binding", { apiVersion: "v1", kind: "Binding", metadata: { name: "web" }, target: { kind: "Node", name: "node-2" } }),
        (err: StatusError) => err.code === 409 && /already assigned to node "node-1"/.test(err.message),
      );
    });

    it("watches every change after a resourceVersion", async () => {
      const { resourceVersion } = await client.list(CM, { namespace });
      const seen: string[] = [];
      const handle = client.watch(CM, { namespace, resourceVersion }, {
        onEvent: (type: WatchEventType, o) => seen.push(`${type} ${o.metadata?.name}`),
        onClose: () => {},
      });
      try {
        await client.create(CM, namespace, cm("watched"));
        await client.patch(CM, namespace, "watched", "merge", { data: { v: "2" } });
        await client.delete(CM, namespace, "watched");
        const deadline = Date.now() + 5_000;
        while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        assert.deepEqual(seen, ["ADDED watched", "MODIFIED watched", "DELETED watched"]);
      } finally {
        handle.stop();
      }
    });
  });
}

clientSuite("in-process", async (server) => server.client(ADMIN, "kube-controller-manager"), "inproc");
clientSuite("HTTP", async (server) => {
  const config = parse(await readFile(server.kubeconfigPath, "utf8")) as { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] };
  const b64 = (v: string | undefined) => Buffer.from(v ?? "", "base64").toString();
  return new HttpClient({
    server: server.url,
    caPem: b64(config.clusters[0]!.cluster["certificate-authority-data"]),
    certPem: b64(config.users[0]!.user["client-certificate-data"]),
    keyPem: b64(config.users[0]!.user["client-key-data"]),
  });
}, "overhttp");
