// A StatefulSet's stable DNS names seen from its own pods, on the process runtime with isolated pod
// networks (root and the CNI plugins; otherwise this says so and skips): behind the headless
// Service `web`, web-1 finds web-0 as `web-0.web` through the cluster DNS (glibc's `getent hosts`
// in the pod, through the pod's resolv.conf search path). The cluster DNS itself is tested in
// cluster-dns.test.ts; this only checks that the controller's hostname and subdomain reach it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isolatedNetworkSupport } from "../../src/node/network/choose-network.js";
import { waitFor } from "../controllers/mark-ready.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const support = await isolatedNetworkSupport();
const skip = process.getuid?.() !== 0 ? "needs root (pod network namespaces, mount namespaces)" : support.ok ? undefined : support.reason;

const echo = { name: "echo", image: "kubelite/echo-server", env: [{ name: "PORT", value: "8080" }], ports: [{ name: "http", containerPort: 8080 }] };
const manifests = [
  { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { clusterIP: "None", selector: { app: "web" }, ports: [{ name: "http", port: 8080 }] } },
  {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web" },
    spec: { serviceName: "web", replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [echo] } } },
  },
];

describe("statefulset pod names in the cluster DNS", { skip }, () => {
  let server: TestServer;
  const kubectl = (args: string[], input?: string) => server.kubectlOk(args, { input, timeoutMs: 90_000 });

  before(async () => {
    server = await startTestServer({ agent: true });
    await kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: manifests }));
    await kubectl(["rollout", "status", "statefulset/web", "--timeout=90s"]);
  });
  after(() => server?.close());

  it("resolves web-0.web from web-1 to web-0's address", async () => {
    const ip = (await kubectl(["get", "pod", "web-0", "-o", "jsonpath={.status.podIP}"])).trim();
    assert.match(ip, /^10\.42\./);
    const found = await waitFor(async () => {
      const result = await server.kubectl(["exec", "web-1", "--", "getent", "hosts", "web-0.web"], { timeoutMs: 30_000 });
      return result.code === 0 && result.stdout.trim();
    }, "web-0.web resolving in web-1", 30_000);
    assert.match(found, new RegExp(`^${ip.replaceAll(".", "\\.")}\\s+web-0\\.web\\.default\\.svc\\.cluster\\.local$`, "m"));
  });
});
