// `kill -9` of a real `kubelite server` process in the middle of a burst of creates loses no
// write the API acknowledged: after a restart on the same data dir, every acknowledged ConfigMap
// is there with its data.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { apiClient } from "../support/api-client.js";

const BIN = fileURLToPath(new URL("../../../bin/kubelite.js", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

/** Starts the server process and resolves once it printed its ready line. */
function startProcess(dataDir: string, port: number): Promise<ChildProcess> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, "server", "--data-dir", dataDir, "--port", String(port), "--log-level", "error", "--disable-agent"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("is ready")) done(child);
    });
    child.once("exit", (code) => fail(new Error(`server exited with ${code} before it was ready`)));
  });
}

describe("crash safety", () => {
  it("keeps every acknowledged write after kill -9 during a burst", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "kubelite-crash-"));
    const port = await freePort();
    try {
      const first = await startProcess(dataDir, port);
      const call = await apiClient(join(dataDir, "kubeconfig.yaml"));
      const acknowledged: string[] = [];
      let next = 0;
      let killed = false;
      const writer = async () => {
        while (!killed) {
          const name = `burst-${next++}`;
          try {
            const reply = await call("POST", "/api/v1/namespaces/default/configmaps", { body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { name } }) });
            if (reply.status === 201) acknowledged.push(name);
          } catch {
            return; // the connection died with the server
          }
          if (acknowledged.length === 300 && !killed) {
            killed = true;
            first.kill("SIGKILL");
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, writer));
      await new Promise((r) => (first.exitCode !== null || first.signalCode !== null ? r(null) : first.once("exit", r)));
      assert.ok(acknowledged.length >= 300);

      const second = await startProcess(dataDir, port);
      try {
        const again = await apiClient(join(dataDir, "kubeconfig.yaml"));
        const list = (await again("GET", "/api/v1/namespaces/default/configmaps")).json() as { items: { metadata: { name: string }; data: { name: string } }[] };
        const stored = new Map(list.items.map((i) => [i.metadata.name, i.data.name]));
        const missing = acknowledged.filter((name) => stored.get(name) !== name);
        assert.deepEqual(missing, [], `${missing.length} acknowledged writes were lost`);
      } finally {
        second.kill("SIGTERM");
        await new Promise((r) => second.once("exit", r));
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
