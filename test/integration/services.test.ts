// Services end to end with the stock kubectl against a real server whose local agent runs pods in
// their own network namespaces: cluster IPs reached from inside a pod spread over every ready
// replica, NodePort and LoadBalancer ports reached from the host on 127.0.0.1, endpoints followed
// within a second of a scale, rules gone with their Service, allocations and rules kept across a
// server restart, and the allocator's refusals. Needs root and the CNI plugins (skips otherwise).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isolatedNetworkSupport } from "../../src/node/network/choose-network.js";
import { nodeNetnsName } from "../../src/node/network/names.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { waitFor } from "../controllers/mark-ready.js";
import { freePort } from "../support/free-port.js";

const support = await isolatedNetworkSupport();
const skip = process.getuid?.() !== 0 ? "needs root (pod and node network namespaces, nftables)" : support.ok ? undefined : support.reason;
const NODE = process.execPath;

/** Run inside a pod: `count` requests, each on a new connection, printing the answering pods' hostnames as JSON. */
const hostnamesScript = (url: string, count: number) =>
  `const http = require("http"); const names = [];
   const one = () => new Promise((ok, fail) => http.get(${JSON.stringify(url)}, { agent: false, timeout: 3000 }, (res) => { let b = ""; res.on("data", (c) => (b += c)); res.on("end", () => ok(JSON.parse(b).hostname)); }).on("error", fail).on("timeout", function () { this.destroy(new Error("timeout")); }));
   (async () => { for (let i = 0; i < ${count}; i++) names.push(await one()); console.log(JSON.stringify(names)); })().catch((e) => { console.error(String(e)); process.exit(1); });`;


async function hostnameFrom(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return ((await response.json()) as { hostname: string }).hostname;
}

describe("services", { skip }, () => {
  let server: TestServer;
  let dir: string;
  let dataDir: string;
  let imageMap: string;
  const run = (args: string[], input?: string) => server.kubectl(args, { input, timeoutMs: 90_000 });
  const kubectl = async (args: string[], input?: string) => {
    const result = await run(args, input);
    assert.equal(result.code, 0, `kubectl ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  };
  const jsonpath = (what: string, path: string) => kubectl(["get", what, "-o", `jsonpath=${path}`]);
  const apply = (manifest: object) => kubectl(["apply", "-f", "-"], JSON.stringify(manifest));
  const service = (name: string, spec: object) => ({ apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector: { app: "api-server" }, ...spec } });
  const firstPod = async () => (await jsonpath("pods", "{.items[0].metadata.name}")).trim();
  /** The node's service table as nft lists it. */
  const nodeRules = () => execFileSync("nsenter", [`--net=/var/run/netns/${nodeNetnsName(join(dataDir, "agents", "kubelite-node"), "kubelite-node")}`, "nft", "list", "table", "ip", "kubelite-services"]).toString();
  const hostnamesVia = async (url: string, count: number) => JSON.parse(await kubectl(["exec", await firstPod(), "--", NODE, "-e", hostnamesScript(url, count)])) as string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubelite-services-test-"));
    dataDir = join(dir, "data");
    imageMap = join(dir, "images.yaml");
    await writeFile(imageMap, 'myregistry/api-server: {image: kubelite/echo-server, env: {PORT: "8080"}}\n');
    server = await startTestServer({ agent: true, imageMap, dataDir, keepPods: true });
    await kubectl(["apply", "-f", "../shared/examples/deployment.yaml"]);
    await kubectl(["rollout", "status", "deployment/api-server", "--timeout=60s"]);
  });
  after(async () => {
    await server?.close();
    // The last server removes the node's pods and network.
    const cleanup = await startTestServer({ agent: true, imageMap, dataDir });
    await cleanup.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("the kubernetes Service takes the range's first address and points at the API server", async () => {
    assert.equal(await jsonpath("service/kubernetes", "{.spec.clusterIP} {.spec.ports[0].port}"), "10.43.0.1 443");
    const slice = await jsonpath("endpointslice/kubernetes", "{.endpoints[0].addresses[0]}:{.ports[0].port}");
    assert.equal(slice, `127.0.0.1:${server.port}`);
  });

  it("a pod reaches the API server through the kubernetes Service, with a certificate naming it", async () => {
    const script = `require("https").get({ host: "10.43.0.1", port: 443, path: "/version", ca: require("fs").readFileSync(0), servername: "kubernetes.default.svc" }, (res) => { let b = ""; res.on("data", (c) => (b += c)); res.on("end", () => console.log(JSON.parse(b).gitVersion)); }).on("error", (e) => { console.error(String(e)); process.exit(1); });`;
    const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(await readFile(join(server.dataDir, "kubeconfig.yaml"), "utf8"))![1]!, "base64").toString();
    const version = await waitFor(async () => {
      const result = await run(["exec", "-i", await firstPod(), "--", NODE, "-e", script], ca);
      return result.code === 0 ? result.stdout.trim() : undefined;
    }, "the API server through 10.43.0.1:443", 20_000);
    assert.match(version, /^v1\.32\./);
    // In-cluster clients find it through the kubelet's Service variables.
    const env = await kubectl(["exec", await firstPod(), "--", NODE, "-e", "console.log(process.env.KUBERNETES_SERVICE_HOST + ':' + process.env.KUBERNETES_SERVICE_PORT)"]);
    assert.equal(env.trim(), "10.43.0.1:443");
  });

  it("a ClusterIP Service reached from inside a pod spreads connections over all three replicas", async () => {
    await apply(service("api", { ports: [{ port: 8080, targetPort: 8080 }] }));
    const clusterIP = (await jsonpath("service/api", "{.spec.clusterIP}")).trim();
    assert.match(clusterIP, /^10\.43\.\d+\.\d+$/);
    const pods = new Set((await jsonpath("pods", "{.items[*].metadata.name}")).split(" "));
    const seen = await waitFor(async () => {
      const names = await hostnamesVia(`http://${clusterIP}:8080/`, 30);
      return names.every((n) => pods.has(n)) && new Set(names).size === 3 ? names : undefined;
    }, "answers from all three replicas through the cluster IP", 30_000);
    assert.equal(new Set(seen).size, 3);
    // By the Service's name, as the article's `curl http://api-server:8080/`: cluster DNS, then the proxy.
    const byName = await waitFor(async () => {
      const names = await hostnamesVia("http://api:8080/", 30).catch(() => []);
      return new Set(names).size === 3 ? names : undefined;
    }, "answers from all three replicas through the Service's name", 30_000);
    assert.ok(byName.every((n) => pods.has(n)));
    const metrics = await kubectl(["get", "--raw", "/api/v1/nodes/kubelite-node/proxy/metrics"]);
    assert.match(metrics, /^kubeproxy_sync_proxy_rules_duration_seconds_count [1-9]\d*$/m);
    assert.match(metrics, /^kubeproxy_sync_proxy_rules_last_timestamp_seconds \d/m);
  });

  it("ClientIP session affinity keeps a client on one replica", async () => {
    await apply(service("sticky", { ports: [{ port: 8080, targetPort: 8080 }], sessionAffinity: "ClientIP" }));
    const clusterIP = (await jsonpath("service/sticky", "{.spec.clusterIP}")).trim();
    const names = await waitFor(async () => hostnamesVia(`http://${clusterIP}:8080/`, 15), "answers through the sticky service", 30_000);
    assert.equal(new Set(names).size, 1, names.join(" "));
  });

  it("a named target port is resolved through the EndpointSlice", async () => {
    await kubectl(["patch", "deployment/api-server", "--type=json", "-p", JSON.stringify([{ op: "add", path: "/spec/template/spec/containers/0/ports/0/name", value: "web" }])]);
    await kubectl(["rollout", "status", "deployment/api-server", "--timeout=60s"]);
    await apply(service("named", { ports: [{ name: "http", port: 80, targetPort: "web" }] }));
    const clusterIP = (await jsonpath("service/named", "{.spec.clusterIP}")).trim();
    const names = await waitFor(async () => hostnamesVia(`http://${clusterIP}:80/`, 5), "an answer on port 80 through the named target port", 30_000);
    assert.equal(names.length, 5);
  });

  it("NodePort and LoadBalancer Services answer on 127.0.0.1 from the host, and the load balancer reports its address", async () => {
    const lbPort = await freePort();
    await apply(service("np", { type: "NodePort", ports: [{ port: 8080, targetPort: 8080 }] }));
    await apply(service("lb", { type: "LoadBalancer", ports: [{ port: lbPort, targetPort: 8080 }] }));
    const nodePort = Number(await jsonpath("service/np", "{.spec.ports[0].nodePort}"));
    assert.ok(nodePort >= 30000 && nodePort <= 32767, `node port ${nodePort}`);
    await waitFor(async () => (await hostnameFrom(`http://127.0.0.1:${nodePort}/`)).startsWith("api-server-"), "the node port on 127.0.0.1", 10_000);
    // Pods reach the node port at their node's address too.
    const hostIP = (await jsonpath("pods", "{.items[0].status.hostIP}")).trim();
    assert.equal((await hostnamesVia(`http://${hostIP}:${nodePort}/`, 6)).length, 6);
    await waitFor(async () => (await hostnameFrom(`http://127.0.0.1:${lbPort}/`)).startsWith("api-server-"), "the load balancer port on 127.0.0.1", 10_000);
    await waitFor(async () => (await jsonpath("service/lb", "{.status.loadBalancer.ingress[0].ip}")) === "127.0.0.1", "the load balancer's ingress status");
    const table = await kubectl(["get", "service", "lb"]);
    assert.match(table, new RegExp(`lb\\s+LoadBalancer\\s+10\\.43\\.\\d+\\.\\d+\\s+127\\.0\\.0\\.1\\s+${lbPort}:\\d+/TCP`), table);
  });

  it("endpoints and traffic follow a scale within a second", async () => {
    const clusterIP = (await jsonpath("service/api", "{.spec.clusterIP}")).trim();
    await kubectl(["scale", "deployment/api-server", "--replicas=1"]);
    const started = Date.now();
    await waitFor(async () => (await jsonpath("endpointslices", "{.items[?(@.metadata.labels.kubernetes\\.io/service-name==\"api\")].endpoints[*].addresses[0]}")).trim().split(" ").length === 1, "one endpoint left", 30_000);
    const sliceMs = Date.now() - started;
    const remaining = new Set((await jsonpath("pods", "{.items[?(@.status.phase==\"Running\")].metadata.name}")).split(" ").filter((n) => n));
    const afterSlice = Date.now();
    const names = await waitFor(async () => {
      const got = await hostnamesVia(`http://${clusterIP}:8080/`, 10);
      return got.every((n) => remaining.has(n)) ? got : undefined;
    }, "traffic only to the remaining pod", 10_000);
    assert.ok(names.length === 10);
    assert.ok(Date.now() - afterSlice < 5_000, `traffic followed the endpoints (${sliceMs} ms for the slice)`);
    await kubectl(["scale", "deployment/api-server", "--replicas=3"]);
    await kubectl(["rollout", "status", "deployment/api-server", "--timeout=60s"]);
  });

  it("deleting a Service removes its rules: its node port stops answering", async () => {
    await apply(service("gone", { type: "NodePort", ports: [{ port: 8080, targetPort: 8080 }] }));
    const nodePort = Number(await jsonpath("service/gone", "{.spec.ports[0].nodePort}"));
    const clusterIP = (await jsonpath("service/gone", "{.spec.clusterIP}")).trim();
    await waitFor(async () => (await hostnameFrom(`http://127.0.0.1:${nodePort}/`)).startsWith("api-server-"), "the node port answering");
    assert.match(nodeRules(), new RegExp(`${clusterIP.replaceAll(".", "\\.")} \\. tcp \\. 8080 : goto svc_default_gone_8080_tcp`));
    await kubectl(["delete", "service", "gone"]);
    await waitFor(async () => !nodeRules().includes("svc_default_gone_") && !nodeRules().includes(clusterIP), "the Service's rules gone from the node's table", 5_000);
    await waitFor(async () => {
      try {
        await hostnameFrom(`http://127.0.0.1:${nodePort}/`);
        return false;
      } catch {
        return true;
      }
    }, "the node port closed", 5_000);
  });

  it("refuses a taken cluster IP or node port and an address outside the range, with upstream's messages", async () => {
    const clusterIP = (await jsonpath("service/api", "{.spec.clusterIP}")).trim();
    const nodePort = Number(await jsonpath("service/np", "{.spec.ports[0].nodePort}"));
    const taken = await run(["apply", "-f", "-"], JSON.stringify(service("clash", { clusterIP, ports: [{ port: 80 }] })));
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, new RegExp(`The Service "clash" is invalid: spec.clusterIPs: Invalid value: \\[\\]string\\{"${clusterIP.replaceAll(".", "\\.")}"\\}: failed to allocate IP ${clusterIP.replaceAll(".", "\\.")}: provided IP is already allocated`));
    const outside = await run(["apply", "-f", "-"], JSON.stringify(service("clash", { clusterIP: "10.96.0.10", ports: [{ port: 80 }] })));
    assert.match(outside.stderr, /failed to allocate IP 10\.96\.0\.10: provided IP is not in the valid range\. The range of valid IPs is 10\.43\.0\.0\/16/);
    const port = await run(["apply", "-f", "-"], JSON.stringify(service("clash", { type: "NodePort", ports: [{ port: 80, nodePort }] })));
    assert.match(port.stderr, new RegExp(`The Service "clash" is invalid: spec.ports\\[0\\].nodePort: Invalid value: ${nodePort}: provided port is already allocated`));
    const range = await run(["apply", "-f", "-"], JSON.stringify(service("clash", { type: "NodePort", ports: [{ port: 80, nodePort: 8080 }] })));
    assert.match(range.stderr, /provided port is not in the valid range\. The range of valid ports is 30000-32767/);
  });

  it("a type change with kubectl patch gives the node port back and clears the load balancer status", async () => {
    await apply(service("switch", { type: "LoadBalancer", ports: [{ port: await freePort(), targetPort: 8080 }] }));
    const nodePort = Number(await jsonpath("service/switch", "{.spec.ports[0].nodePort}"));
    await waitFor(async () => (await jsonpath("service/switch", "{.status.loadBalancer.ingress[0].ip}")) === "127.0.0.1", "the load balancer's ingress status");
    await kubectl(["patch", "service", "switch", "-p", '{"spec":{"type":"ClusterIP"}}']);
    assert.equal(await jsonpath("service/switch", "{.spec.ports[0].nodePort}|{.status.loadBalancer}"), "|{}");
    await apply(service("reuse", { type: "NodePort", ports: [{ port: 80, targetPort: 8080, nodePort }] }));
    await kubectl(["delete", "service", "switch", "reuse"]);
  });

  it("a restarted server keeps every allocation and the traffic still flows", async () => {
    const before = await jsonpath("services", "{range .items[*]}{.metadata.name}={.spec.clusterIP}/{.spec.ports[0].nodePort} {end}");
    const nodePort = Number(await jsonpath("service/np", "{.spec.ports[0].nodePort}"));
    await server.close();
    server = await startTestServer({ agent: true, imageMap, dataDir, keepPods: true });
    assert.equal(await jsonpath("services", "{range .items[*]}{.metadata.name}={.spec.clusterIP}/{.spec.ports[0].nodePort} {end}"), before);
    await waitFor(async () => (await hostnameFrom(`http://127.0.0.1:${nodePort}/`)).startsWith("api-server-"), "the node port after the restart", 30_000);
    const clash = await run(["apply", "-f", "-"], JSON.stringify(service("clash", { type: "NodePort", ports: [{ port: 80, nodePort }] })));
    assert.match(clash.stderr, /provided port is already allocated/);
  });
});
