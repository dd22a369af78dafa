// What goes wrong on a node is reported, never fatal to the agent: a missing ConfigMap, an
// executable that does not exist, an image the node cannot run, exec into a finished pod. And a
// restarted server's agent adopts the pods still running instead of starting them again.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isolatedNetworkSupport } from "../../src/node/network/choose-network.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { waitFor } from "../controllers/mark-ready.js";

const support = await isolatedNetworkSupport();
const skip = process.getuid?.() !== 0 ? "needs root (pod network namespaces, cgroups)" : support.ok ? undefined : support.reason;

function kubectlOn(server: () => TestServer) {
  const run = async (args: string[], input?: string) => {
    const result = await server().kubectl(args, { input, timeoutMs: 60_000 });
    assert.equal(result.code, 0, `kubectl ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  };
  return {
    run,
    apply: (manifest: object) => run(["apply", "-f", "-"], JSON.stringify(manifest)),
    jsonpath: (what: string, path: string) => run(["get", what, "-o", `jsonpath=${path}`]),
  };
}

const pod = (name: string, spec: object) => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec });

describe("node agent faults", { skip }, () => {
  let server: TestServer;
  const k = kubectlOn(() => server);
  before(async () => {
    server = await startTestServer({ agent: true });
  });
  after(() => server?.close());

  it("a pod whose ConfigMap is missing waits in CreateContainerConfigError naming it, then starts once it exists", async () => {
    await k.apply(pod("needs-config", { containers: [{ name: "c", image: "kubelite/pause", envFrom: [{ configMapRef: { name: "settings" } }] }] }));
    await waitFor(async () => (await k.jsonpath("pod/needs-config", "{.status.containerStatuses[0].state.waiting.reason}")) === "CreateContainerConfigError", "CreateContainerConfigError");
    assert.equal(await k.jsonpath("pod/needs-config", "{.status.containerStatuses[0].state.waiting.message}"), 'configmap "settings" not found');
    assert.match(await k.run(["describe", "pod", "needs-config"]), /Error: configmap "settings" not found/);
    await k.run(["create", "configmap", "settings", "--from-literal=MODE=fast"]);
    await waitFor(async () => (await k.jsonpath("pod/needs-config", "{.status.phase}")) === "Running", "the pod to run", 30_000);
  });

  it("an executable that does not exist is reported, not started", async () => {
    await k.apply(pod("no-such-binary", { containers: [{ name: "c", image: "busybox", command: ["/no/such/program"] }] }));
    await waitFor(async () => (await k.jsonpath("pod/no-such-binary", "{.status.containerStatuses[0].state.waiting.reason}")) === "ContainerCannotRun", "ContainerCannotRun");
    assert.match(await k.jsonpath("pod/no-such-binary", "{.status.containerStatuses[0].state.waiting.message}"), /\/no\/such\/program/);
  });

  it("an image the node cannot run says how to map it", async () => {
    await k.apply(pod("unmapped", { containers: [{ name: "c", image: "example.com/unknown:1.0" }] }));
    await waitFor(async () => (await k.jsonpath("pod/unmapped", "{.status.containerStatuses[0].state.waiting.reason}")) === "ErrImageNeverPull", "ErrImageNeverPull");
    assert.match(await k.jsonpath("pod/unmapped", "{.status.containerStatuses[0].state.waiting.message}"), /--image-map/);
    assert.match(await k.run(["get", "pod", "unmapped"]), /ErrImageNeverPull/);
  });

  it("a container that exits at once completes, and exec into the finished pod is refused clearly", async () => {
    await k.apply(pod("quick", { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", command: ["true"] }] }));
    await waitFor(async () => (await k.jsonpath("pod/quick", "{.status.phase}")) === "Succeeded", "the pod to succeed");
    assert.match(await k.run(["get", "pod", "quick"]), /Completed/);
    const exec = await server.kubectl(["exec", "quick", "--", "true"]);
    assert.notEqual(exec.code, 0);
    assert.match(exec.stderr, /cannot exec into a container in a completed pod; current phase is Succeeded/);
  });
});

describe("a restarted server's agent", { skip }, () => {
  let dataDir: string;
  let server: TestServer;
  const k = kubectlOn(() => server);
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "kubelite-adopt-"));
  });
  after(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("adopts the pods still running: same container, no restart, no duplicate", async () => {
    server = await startTestServer({ agent: true, dataDir, keepPods: true });
    await k.apply(pod("survivor", { containers: [{ name: "c", image: "busybox", command: ["sh", "-c", "echo started; exec sleep 3600"] }] }));
    await k.run(["wait", "--for=condition=Ready", "pod/survivor", "--timeout=30s"]);
    const containerID = await k.jsonpath("pod/survivor", "{.status.containerStatuses[0].containerID}");
    await server.close();
    server = await startTestServer({ agent: true, dataDir });
    await waitFor(async () => (await k.jsonpath("node/kubelite-node", "{.status.conditions[?(@.type=='Ready')].status}")) === "True", "the node to be Ready again");
    await k.run(["wait", "--for=condition=Ready", "pod/survivor", "--timeout=30s"]);
    assert.equal(await k.jsonpath("pod/survivor", "{.status.containerStatuses[0].containerID}"), containerID);
    assert.equal(await k.jsonpath("pod/survivor", "{.status.containerStatuses[0].restartCount}"), "0");
    assert.equal(await k.run(["logs", "survivor"]), "started\n");
    assert.equal((await k.run(["exec", "survivor", "--", "sh", "-c", "echo alive"])).trim(), "alive");
  });
});
