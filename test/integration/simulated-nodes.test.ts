// Simulated nodes on a real server: registered Ready with their capacity, Leases renewed, pods
// bound to them reported Running (or Succeeded when meant to finish), deletions confirmed so that
// `kubectl delete` returns, and a stopped heartbeat leaves the Lease unrenewed.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe("simulated nodes", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ simulatedNodes: 3, leaseRenewIntervalMs: 100 });
  });
  after(() => server.close());

  async function jsonpath(args: string[]): Promise<string> {
    const result = await server.kubectl(args);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  }

  async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("registers Ready nodes with their capacity and leases", async () => {
    const out = await server.kubectl(["get", "nodes"]);
    assert.match(out.stdout, /simulated-0\s+Ready\s+<none>\s+\S+\s+v1.32.0-kubelite/);
    assert.equal(await jsonpath(["get", "node", "simulated-2", "-o", "jsonpath={.status.allocatable.cpu}"]), "4");
    assert.equal(await jsonpath(["get", "lease", "simulated-1", "-n", "kube-node-lease", "-o", "jsonpath={.spec.holderIdentity}"]), "simulated-1");
  });

  it("runs a bound pod and reports it Running and Ready", async () => {
    await jsonpath(["run", "web", "--image=nginx", "--overrides", '{"spec":{"nodeName":"simulated-1"}}']);
    await eventually(async () => (await jsonpath(["get", "pod", "web", "-o", "jsonpath={.status.phase}"])) === "Running", "the pod to run");
    const out = await jsonpath(["get", "pod", "web", "-o", "wide"]);
    assert.match(out, /web\s+1\/1\s+Running\s+0\s+\S+\s+10\.42\.1\.\d+\s+simulated-1/);
  });

  it("completes pods that are meant to finish", async () => {
    await jsonpath(["run", "once", "--image=busybox", "--restart=Never", "--overrides", '{"spec":{"nodeName":"simulated-0"}}']);
    await eventually(async () => (await jsonpath(["get", "pod", "once", "-o", "jsonpath={.status.phase}"])) === "Succeeded", "the pod to complete");
    assert.match(await jsonpath(["get", "pod", "once"]), /once\s+0\/1\s+Completed/);
  });

  it("confirms graceful deletion so kubectl delete returns", async () => {
    const result = await server.kubectl(["delete", "pod", "web", "--timeout=15s"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /pod "web" deleted/);
  });

  it("stops renewing a node's lease when its heartbeat is stopped", async () => {
    const renewTime = (node: string) => jsonpath(["get", "lease", node, "-n", "kube-node-lease", "-o", "jsonpath={.spec.renewTime}"]);
    const liveRenewal = async () => {
      const seen = await renewTime("simulated-0");
      await eventually(async () => (await renewTime("simulated-0")) !== seen, "the live node to renew its lease");
    };
    server.simulatedNodes!.setHeartbeat("simulated-2", false);
    await liveRenewal(); // a renewal of simulated-2 already under way lands before this one
    const stopped = await renewTime("simulated-2");
    await liveRenewal();
    await liveRenewal();
    assert.equal(await renewTime("simulated-2"), stopped, "the stopped node did not renew");
    server.simulatedNodes!.setHeartbeat("simulated-2", true);
    await eventually(async () => (await renewTime("simulated-2")) !== stopped, "the resumed node to renew again");
    assert.throws(() => server.simulatedNodes!.setHeartbeat("nope", false), /no simulated node named nope/);
  });
});
