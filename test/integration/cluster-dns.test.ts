// Cluster DNS seen from inside pods, with a real server and agent (isolated pod networks need root
// and the CNI plugins; without them this says so and skips): the pod's resolv.conf and hosts file,
// a Service of a Deployment, a headless Service with stable pod names (hostname and subdomain, as a StatefulSet's pods have), an ExternalName
// Service, reverse lookups, a deleted Service disappearing at once, and a restarted server still
// answering the pods it left running. Lookups use glibc (`getent hosts`) in the pods, through the
// resolv.conf mounted over /etc/resolv.conf. Names outside the cluster are never asked: the test
// server's DNS forwards nowhere.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createLogger } from "../../src/log.js";
import { joinCluster } from "../../src/node/bootstrap/join.js";
import { isolatedNetworkSupport } from "../../src/node/network/choose-network.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { waitFor } from "../controllers/mark-ready.js";

const support = await isolatedNetworkSupport();
const skip = process.getuid?.() !== 0 ? "needs root (pod network namespaces, mount namespaces)" : support.ok ? undefined : support.reason;

const labels = (app: string) => ({ matchLabels: { app } });
const template = (app: string, spec: object) => ({ metadata: { labels: { app } }, spec });
const echo = { name: "echo", image: "kubelite/echo-server", env: [{ name: "PORT", value: "8080" }], ports: [{ name: "http", containerPort: 8080 }] };

const manifests = [
  { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api" }, spec: { replicas: 1, selector: labels("api"), template: template("api", { containers: [echo] }) } },
  { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, clusterIP: "10.43.100.10", ports: [{ name: "http", port: 80, targetPort: 8080 }] } },
  { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { app: "web" }, clusterIP: "None", ports: [{ name: "http", port: 8080 }] } },
  // The pods a StatefulSet `web` with serviceName `web` makes: hostname web-N, subdomain web.
  ...[0, 1].map((n) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: `web-${n}`, labels: { app: "web" } }, spec: { hostname: `web-${n}`, subdomain: "web", containers: [echo] } })),
  { apiVersion: "v1", kind: "Service", metadata: { name: "docs" }, spec: { type: "ExternalName", externalName: "api.default.svc.cluster.local" } },
];

describe("cluster DNS", { skip }, () => {
  let server: TestServer;
  let dataDir: string;
  const kubectl = (args: string[], input?: string) => server.kubectlOk(args, { input, timeoutMs: 90_000 });
  /** The addresses glibc finds for a name inside the pod; undefined when it finds none. */
  const lookup = async (pod: string, name: string) => {
    const result = await server.kubectl(["exec", pod, "--", "getent", "hosts", name], { timeoutMs: 30_000 });
    if (result.code !== 0) return undefined;
    return result.stdout.trim().split("\n").map((line) => line.split(/\s+/)[0]).sort().join(" ");
  };
  const podIP = (name: string) => kubectl(["get", "pod", name, "-o", "jsonpath={.status.podIP}"]);
  let client = "";

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "kubelite-dns-test-"));
    server = await startTestServer({ agent: true, dataDir, keepPods: true });
    await kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: manifests }));
    await kubectl(["rollout", "status", "deployment/api", "--timeout=60s"]);
    await kubectl(["wait", "--for=condition=Ready", "pod/web-0", "pod/web-1", "--timeout=60s"]);
    client = (await kubectl(["get", "pods", "-l", "app=api", "-o", "jsonpath={.items[0].metadata.name}"])).trim();
  });
  after(async () => {
    // The pods were kept for the restart test: remove them with the last server.
    if (server) {
      await server.close();
      const cleanup = await startTestServer({ agent: true, dataDir });
      await cleanup.close();
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it("creates the kube-dns Service at 10.43.0.10 with dns and dns-tcp on port 53", async () => {
    const spec = JSON.parse(await kubectl(["get", "service", "kube-dns", "-n", "kube-system", "-o", "jsonpath={.spec}"])) as { clusterIP: string; ports: { name: string; port: number; protocol: string }[] };
    assert.equal(spec.clusterIP, "10.43.0.10");
    assert.deepEqual(spec.ports.map((p) => `${p.name} ${p.port}/${p.protocol}`), ["dns 53/UDP", "dns-tcp 53/TCP"]);
  });

  it("gives a ClusterFirst pod the cluster resolver and a hosts file with its own name", async () => {
    const resolv = await kubectl(["exec", client, "--", "cat", "/etc/resolv.conf"]);
    assert.match(resolv, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local\b/m);
    assert.match(resolv, /^nameserver 10\.43\.0\.10$/m);
    assert.match(resolv, /^options ndots:5$/m);
    const hosts = await kubectl(["exec", "web-0", "--", "cat", "/etc/hosts"]);
    assert.match(hosts, new RegExp(`^${(await podIP("web-0")).replaceAll(".", "\\.")}\\s+web-0\\.web\\.default\\.svc\\.cluster\\.local\\s+web-0$`, "m"));
  });

  it("resolves a Service to its cluster IP, by its full name and through the search path", async () => {
    assert.equal(await lookup(client, "api.default.svc.cluster.local"), "10.43.100.10");
    assert.equal(await lookup(client, "api"), "10.43.100.10");
  });

  it("resolves a headless Service to its pods, and each pod by its stable name", async () => {
    const [ip0, ip1] = [await podIP("web-0"), await podIP("web-1")];
    assert.equal(await lookup(client, "web.default.svc.cluster.local"), [ip0, ip1].sort().join(" "));
    assert.equal(await lookup(client, "web-0.web.default.svc.cluster.local"), ip0);
    assert.equal(await lookup(client, "web-1.web"), ip1);
  });

  it("resolves an ExternalName Service through its CNAME, and cluster IPs back to names", async () => {
    assert.equal(await lookup(client, "docs.default.svc.cluster.local"), "10.43.100.10");
    const reverse = await kubectl(["exec", client, "--", "getent", "hosts", "10.43.100.10"]);
    assert.match(reverse, /^10\.43\.100\.10\s+api\.default\.svc\.cluster\.local$/m);
  });

  it("counts the queries in CoreDNS's metrics on the server's /metrics", async () => {
    const metrics = await kubectl(["get", "--raw", "/metrics"]);
    assert.match(metrics, /^coredns_dns_requests_total\{proto="udp",type="A"\} [1-9]\d*$/m);
    assert.match(metrics, /^coredns_dns_responses_total\{rcode="NXDOMAIN"\} [1-9]\d*$/m, "the search path's misses");
  });

  it("forgets a deleted Service at once", async () => {
    await kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Service", metadata: { name: "brief" }, spec: { clusterIP: "10.43.100.11", ports: [{ port: 80 }] } }));
    await waitFor(async () => (await lookup(client, "brief.default.svc.cluster.local")) === "10.43.100.11", "the new Service's name", 10_000);
    await kubectl(["delete", "service", "brief", "--wait=false"]);
    const deleted = Date.now();
    assert.equal(await lookup(client, "brief.default.svc.cluster.local"), undefined);
    assert.ok(Date.now() - deleted < 1000 + 2000, "the first lookup after the delete (one kubectl exec) already fails");
  });

  it("answers the pods of an agent joined as on another host, from that agent's own DNS server", async () => {
    const token = (await readFile(join(dataDir, "token"), "utf8")).trim();
    const agentDir = await mkdtemp(join(tmpdir(), "kubelite-dns-agent-"));
    const joined = await joinCluster({ server: server.url, token, nodeName: "remote", dataDir: agentDir, nodeIP: "127.0.0.1", log: createLogger("error"), dnsUpstreams: [] });
    try {
      await kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "far" }, spec: { nodeName: "remote", containers: [{ name: "c", image: "kubelite/pause" }] } }));
      await kubectl(["wait", "--for=condition=Ready", "pod/far", "--timeout=60s"]);
      assert.match(await kubectl(["exec", "far", "--", "cat", "/etc/resolv.conf"]), /^nameserver 10\.43\.0\.10$/m);
      assert.equal(await lookup("far", "api.default.svc.cluster.local"), "10.43.100.10");
    } finally {
      await server.kubectl(["delete", "pod", "far", "--grace-period=1"]);
      await joined.destroy();
      await server.kubectl(["delete", "node", "remote"]);
      await rm(agentDir, { recursive: true, force: true });
    }
  });

  it("keeps answering the pods of a restarted server", async () => {
    await server.close();
    server = await startTestServer({ agent: true, dataDir, keepPods: true });
    await waitFor(async () => (await lookup(client, "api.default.svc.cluster.local")) === "10.43.100.10", "an answer from the restarted server", 30_000);
    assert.equal(await lookup(client, "web-0.web.default.svc.cluster.local"), await podIP("web-0"));
  });
});
