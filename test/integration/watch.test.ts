// Watch semantics on a real server: initial events and the initial-events-end bookmark
// (sendInitialEvents), events after a resourceVersion in order, objects leaving a label selector
// seen as DELETED, periodic bookmarks, and a restart that keeps data and certificates.
import assert from "node:assert/strict";
import { request } from "node:https";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { apiClient, type ApiReply, type RequestOptions } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

interface WatchEvent {
  type: string;
  object: { kind?: string; metadata: { name?: string; resourceVersion: string; annotations?: Record<string, string> } };
}

/** Opens a watch and collects its events until stop() or the server ends it. */
async function openWatch(server: TestServer, path: string) {
  const config = parse(await readFile(server.kubeconfigPath, "utf8")) as { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] };
  const b64 = (v: string | undefined) => Buffer.from(v ?? "", "base64");
  const events: WatchEvent[] = [];
  let ended = false;
  const req = request({
    host: "127.0.0.1",
    port: server.port,
    path,
    ca: b64(config.clusters[0]!.cluster["certificate-authority-data"]),
    cert: b64(config.users[0]!.user["client-certificate-data"]),
    key: b64(config.users[0]!.user["client-key-data"]),
  });
  req.on("response", (res) => {
    let buffer = "";
    res.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        events.push(JSON.parse(buffer.slice(0, nl)) as WatchEvent);
        buffer = buffer.slice(nl + 1);
      }
    });
    res.on("end", () => (ended = true));
  });
  req.on("error", () => (ended = true));
  req.end();
  return {
    events,
    ended: () => ended,
    stop: () => req.destroy(),
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const CM = "/api/v1/namespaces/default/configmaps";
const configMap = (name: string, labels: Record<string, string> = {}) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data: { v: "1" } });

describe("watch", () => {
  let server: TestServer;
  let call: (method: string, path: string, options?: RequestOptions) => Promise<ApiReply>;

  before(async () => {
    server = await startTestServer({ bookmarkIntervalMs: 200 });
    call = await apiClient(server.kubeconfigPath);
  });
  after(() => server.close());

  it("sends initial events, then a bookmark marking their end", async () => {
    await call("POST", CM, { body: configMap("initial-a") });
    await call("POST", CM, { body: configMap("initial-b") });
    const w = await openWatch(server, `${CM}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    await until(() => w.events.some((e) => e.type === "BOOKMARK"), "the initial-events-end bookmark");
    const names = w.events.filter((e) => e.type === "ADDED").map((e) => e.object.metadata.name);
    assert.ok(names.includes("initial-a") && names.includes("initial-b"));
    const bookmark = w.events.find((e) => e.type === "BOOKMARK")!;
    assert.equal(bookmark.object.metadata.annotations?.["k8s.io/initial-events-end"], "true");
    assert.equal(bookmark.object.kind, "ConfigMap");
    w.stop();
  });

  it("delivers every change after a resourceVersion, in order", async () => {
    const list = (await call("GET", CM)).json() as { metadata: { resourceVersion: string } };
    const w = await openWatch(server, `${CM}?watch=1&resourceVersion=${list.metadata.resourceVersion}`);
    await call("POST", CM, { body: configMap("ordered") });
    await call("PATCH", `${CM}/ordered`, { body: JSON.stringify({ data: { v: "2" } }), contentType: "application/merge-patch+json" });
    await call("DELETE", `${CM}/ordered`);
    await until(() => w.events.length >= 3, "three events");
    assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata.name}`), ["ADDED ordered", "MODIFIED ordered", "DELETED ordered"]);
    const versions = w.events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
    assert.ok(versions[0]! > Number(list.metadata.resourceVersion));
    w.stop();
  });

  it("reports an object leaving the label selector as DELETED", async () => {
    await call("POST", CM, { body: configMap("selected", { team: "a" }) });
    const w = await openWatch(server, `${CM}?watch=1&labelSelector=team%3Da`);
    await until(() => w.events.some((e) => e.type === "ADDED" && e.object.metadata.name === "selected"), "the initial ADDED");
    await call("PATCH", `${CM}/selected`, { body: JSON.stringify({ metadata: { labels: { team: "b" } } }), contentType: "application/merge-patch+json" });
    await until(() => w.events.some((e) => e.type === "DELETED"), "the DELETED for the object that left the selector");
    w.stop();
  });

  it("sends periodic bookmarks to idle watches that allow them", async () => {
    const w = await openWatch(server, `${CM}?watch=1&allowWatchBookmarks=true&resourceVersion=0`);
    await until(() => w.events.filter((e) => e.type === "BOOKMARK").length >= 2, "two bookmarks");
    w.stop();
  });

  it("ends the stream at the client's timeoutSeconds", async () => {
    const w = await openWatch(server, `${CM}?watch=1&timeoutSeconds=1`);
    await until(() => w.ended(), "the server to end the watch", 5_000);
  });
});

describe("restart", () => {
  it("keeps objects, certificates and the join token across a restart", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "kubelite-restart-"));
    try {
      const first = await startTestServer({ dataDir });
      const call = await apiClient(first.kubeconfigPath);
      assert.equal((await call("POST", CM, { body: configMap("survivor") })).status, 201);
      const ca = await readFile(join(dataDir, "tls", "ca.crt"), "utf8");
      const token = await readFile(join(dataDir, "token"), "utf8");
      await first.close();

      const second = await startTestServer({ dataDir });
      try {
        assert.equal(await readFile(join(dataDir, "tls", "ca.crt"), "utf8"), ca);
        assert.equal(await readFile(join(dataDir, "token"), "utf8"), token);
        const again = await apiClient(second.kubeconfigPath);
        const reply = await again("GET", `${CM}/survivor`);
        assert.equal(reply.status, 200);
        assert.equal((reply.json() as { data: { v: string } }).data.v, "1");
        assert.equal((await again("POST", CM, { body: configMap("after-restart") })).status, 201);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
