// ResourceQuota and LimitRange through the real kubectl: a quota of two pods refuses the third with
// upstream's message and `kubectl describe quota` shows used/hard; concurrent creates never overshoot;
// a LimitRange's defaults land on a pod and its max refuses a bigger one.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.js";

const pod = (name: string, resources = "") => `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]${resources}
`;

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("resource quota and limit ranges", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("refuses the third pod under a quota of two pods and describes used/hard", async () => {
    assert.equal((await server.kubectl(["create", "namespace", "quota"])).code, 0);
    assert.equal((await server.kubectl(["create", "quota", "q", "--hard=pods=2,count/services=10", "-n", "quota"])).code, 0);
    await waitFor("quota status", async () => (await server.kubectl(["get", "quota", "q", "-n", "quota", "-o", "jsonpath={.status.used.pods}"])).stdout === "0");
    for (const name of ["p1", "p2"]) {
      const created = await server.kubectl(["apply", "-n", "quota", "-f", "-"], { input: pod(name) });
      assert.equal(created.code, 0, created.stderr);
    }
    const third = await server.kubectl(["apply", "-n", "quota", "-f", "-"], { input: pod("p3") });
    assert.notEqual(third.code, 0);
    assert.match(third.stderr, /pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/);
    const described = await server.kubectl(["describe", "quota", "q", "-n", "quota"]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /Resource\s+Used\s+Hard/);
    assert.match(described.stdout, /pods\s+2\s+2/);
    assert.match(described.stdout, /count\/services\s+0\s+10/);
  });

  it("lets a deleted pod's quota be used again", async () => {
    assert.equal((await server.kubectl(["delete", "pod", "p1", "-n", "quota", "--grace-period=0", "--force"])).code, 0);
    await waitFor("replenished quota", async () => (await server.kubectl(["get", "quota", "q", "-n", "quota", "-o", "jsonpath={.status.used.pods}"])).stdout === "1");
    assert.equal((await server.kubectl(["apply", "-n", "quota", "-f", "-"], { input: pod("p3") })).code, 0);
  });

  it("never admits more pods than the quota allows when creates race", async () => {
    assert.equal((await server.kubectl(["create", "namespace", "race"])).code, 0);
    assert.equal((await server.kubectl(["create", "quota", "q", "--hard=pods=3", "-n", "race"])).code, 0);
    await waitFor("quota status", async () => (await server.kubectl(["get", "quota", "q", "-n", "race", "-o", "jsonpath={.status.used.pods}"])).stdout === "0");
    const results = await Promise.all(["a", "b", "c", "d", "e", "f"].map((n) => server.kubectl(["apply", "-n", "race", "-f", "-"], { input: pod(n) })));
    assert.equal(results.filter((r) => r.code === 0).length, 3);
    assert.equal(results.filter((r) => /exceeded quota: q/.test(r.stderr)).length, 3);
  });

  it("applies LimitRange defaults to a pod and refuses one above the max", async () => {
    assert.equal((await server.kubectl(["create", "namespace", "limits"])).code, 0);
    const range = `
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
spec:
  limits:
  - type: Container
    default:
      cpu: 500m
      memory: 256Mi
    defaultRequest:
      cpu: 100m
      memory: 128Mi
    max:
      cpu: "1"
`;
    assert.equal((await server.kubectl(["apply", "-n", "limits", "-f", "-"], { input: range })).code, 0);
    assert.equal((await server.kubectl(["apply", "-n", "limits", "-f", "-"], { input: pod("defaulted") })).code, 0);
    const resources = JSON.parse((await server.kubectl(["get", "pod", "defaulted", "-n", "limits", "-o", "jsonpath={.spec.containers[0].resources}"])).stdout);
    assert.deepEqual(resources, { limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m", memory: "128Mi" } });
    const annotation = (await server.kubectl(["get", "pod", "defaulted", "-n", "limits", "-o", "jsonpath={.metadata.annotations.kubernetes\\.io/limit-ranger}"])).stdout;
    assert.equal(annotation, "LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app");
    const big = await server.kubectl(["apply", "-n", "limits", "-f", "-"], { input: pod("big", "\n    resources:\n      limits:\n        cpu: \"2\"") });
    assert.notEqual(big.code, 0);
    assert.match(big.stderr, /pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2/);
  });
});
