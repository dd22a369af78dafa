// A NetworkPolicy that nodes cannot enforce is never silently accepted: kubectl prints the API
// server's admission warning naming the nodes that do not enforce it, and a node without pod
// network namespaces records a NetworkPolicyNotEnforced event on the policy. No root needed.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { EventRecorder } from "../../src/client/event-recorder.js";
import { createLogger } from "../../src/log.js";
import { NotEnforcedReporter } from "../../src/netpol/not-enforced.js";
import { ENFORCED, ENFORCEMENT_LABEL } from "../../src/netpol/enforcement-label.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { waitFor } from "../controllers/mark-ready.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const run = promisify(execFile);

const policy = (name: string) =>
  JSON.stringify({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name }, spec: { podSelector: { matchLabels: { app: "api" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }] } });

describe("network policy on nodes that cannot enforce it", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ simulatedNodes: 2 });
  });
  after(async () => {
    await server?.close();
  });

  it("kubectl apply warns when no node enforces NetworkPolicy, and names the nodes that do not", async () => {
    const none = await server.kubectl(["apply", "-f", "-"], { input: policy("api-allow") });
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stderr, /Warning: no node enforces NetworkPolicy \(simulated-0, simulated-1: no pod network namespaces to filter between\); this policy is stored but not in force/);
    const nodes = (await server.kubectl(["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"])).stdout.split(" ");
    assert.equal((await server.kubectl(["label", "node", nodes[0]!, `${ENFORCEMENT_LABEL}=${ENFORCED}`])).code, 0);
    const some = await server.kubectl(["apply", "-f", "-"], { input: policy("api-allow-2") });
    assert.match(some.stderr, new RegExp(`Warning: 1 of 2 nodes do not enforce NetworkPolicy \\(${nodes[1]}\\)`));
    assert.equal((await server.kubectl(["label", "node", nodes[1]!, `${ENFORCEMENT_LABEL}=${ENFORCED}`])).code, 0);
    const all = await server.kubectl(["apply", "-f", "-"], { input: policy("api-allow-3") });
    assert.doesNotMatch(all.stderr, /Warning/);
  });

  it("a node with host networking records NetworkPolicyNotEnforced on each policy", async () => {
    const log = createLogger("error");
    const client = server.client({ name: "system:node:host-node", groups: ["system:nodes", "system:authenticated"] }, "kubelet");
    const reporter = new NotEnforcedReporter({ client, nodeName: "host-node", recorder: new EventRecorder({ client, component: "kubelet", host: "host-node", log }), reason: "its pods share the host's network", log });
    reporter.start();
    try {
      const events = await waitFor(async () => {
        const out = (await server.kubectl(["get", "events", "--field-selector", "involvedObject.name=api-allow,reason=NetworkPolicyNotEnforced", "-o", "jsonpath={.items[*].message}"])).stdout;
        return out !== "" && out;
      }, "the event");
      assert.equal(events, "Node host-node does not enforce this policy: its pods share the host's network");
    } finally {
      await reporter.stop();
    }
  });

  it("kubelite why traffic says when the node that would block does not enforce", async () => {
    for (const [name, app] of [["api", "api"], ["other", "other"]]) {
      const pod = { apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app } }, spec: { nodeName: "simulated-0", containers: [{ name: "c", image: "busybox" }] } };
      assert.equal((await server.kubectl(["apply", "-f", "-"], { input: JSON.stringify(pod) })).code, 0);
    }
    await server.kubectl(["label", "node", "simulated-0", `${ENFORCEMENT_LABEL}-`]);
    await waitFor(async () => (await server.kubectl(["get", "pod", "api", "other", "-o", "jsonpath={.items[*].status.podIP}"])).stdout.split(" ").filter(Boolean).length === 2, "pod IPs");
    const { stdout } = await run(process.execPath, [join(ROOT, "bin", "kubelite.js"), "why", "traffic", "--from", "pod/other", "--to", "pod/api:80"], { env: { ...process.env, KUBECONFIG: server.kubeconfigPath } });
    assert.match(stdout, /^BLOCKED: pod\/other/m);
    assert.match(stdout, /note: node simulated-0 does not enforce NetworkPolicy, so this ingress is not actually blocked there/);
  });
});
