// NetworkPolicy enforced on a real node with isolated pod networking (needs root, the CNI plugins
// and nft; otherwise skipped with the reason): the article's policy over the article's Deployment,
// driven by the stock kubectl. Pod addresses are reached only from inside pods (kubectl exec).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { isolatedNetworkSupport } from "../../src/node/network/choose-network.js";
import { nodeNetnsName, netnsPath } from "../../src/node/network/names.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { waitFor } from "../controllers/mark-ready.js";

const support = await isolatedNetworkSupport();
const skip = process.getuid?.() !== 0 ? "needs root (pod network namespaces, nftables)" : support.ok ? undefined : support.reason;
const NODE = process.execPath;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const run = promisify(execFile);

/** Run inside a pod: connects with a short timeout, prints "ok" or the failure, always exits 0. */
const probeScript = (url: string) =>
  `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(700) }).then(() => console.log("ok"), (e) => console.log("failed: " + String(e.cause ?? e.name))).finally(() => process.exit(0))`;

describe("network policy", { skip }, () => {
  let server: TestServer;
  let dir: string;
  let apiIP: string;
  let apiPod: string;
  const kubectl = (args: string[], input?: string) => server.kubectlOk(args, { input, timeoutMs: 90_000 });
  const apply = (manifest: object) => kubectl(["apply", "-f", "-"], JSON.stringify(manifest));
  const client = (name: string, labels: Record<string, string>) =>
    apply({ apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec: { containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }] } });
  const reach = async (from: string, ip: string, port = 8080) => (await kubectl(["exec", from, "--", NODE, "-e", probeScript(`http://${ip}:${port}/`)])).trim();
  const kubelite = (args: string[]): Promise<{ stdout: string; stderr: string; code?: number }> =>
    run(NODE, [join(ROOT, "bin", "kubelite.js"), ...args], { env: { ...process.env, KUBECONFIG: server.kubeconfigPath } }).catch((e: { stdout: string; stderr: string; code: number }) => e);
  const nodeNetns = () => netnsPath(nodeNetnsName(join(server.dataDir, "agents", "kubelite-node"), "kubelite-node"));
  const ingressMap = async () => (await run("nsenter", [`--net=${nodeNetns()}`, "nft", "list", "map", "inet", "kubelite-policy", "ingress"])).stdout;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubelite-netpol-test-"));
    const imageMap = join(dir, "images.yaml");
    await writeFile(imageMap, 'myregistry/api-server: {image: kubelite/echo-server, env: {PORT: "8080"}}\n');
    server = await startTestServer({ agent: true, imageMap });
    await kubectl(["apply", "-f", join(ROOT, "..", "shared", "examples", "deployment.yaml")]);
    await client("frontend", { app: "frontend" });
    await client("other", { app: "other" });
    await kubectl(["rollout", "status", "deployment/api-server", "--timeout=60s"]);
    await kubectl(["wait", "--for=condition=Ready", "pod/frontend", "pod/other", "--timeout=60s"]);
    apiPod = (await kubectl(["get", "pods", "-l", "app=api-server", "-o", "jsonpath={.items[0].metadata.name}"])).trim();
    apiIP = (await kubectl(["get", "pod", apiPod, "-o", "jsonpath={.status.podIP}"])).trim();
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("without a policy every pod reaches the api-server", async () => {
    assert.equal(await reach("frontend", apiIP), "ok");
    assert.equal(await reach("other", apiIP), "ok");
  });

  it("the article's policy lets app=frontend reach the api-server on 8080 and blocks other pods", async () => {
    await kubectl(["apply", "-f", join(ROOT, "..", "shared", "examples", "networkpolicy.yaml")]);
    await waitFor(async () => (await ingressMap()).includes(apiIP), "the api-server pods in the policy table", 5_000);
    assert.equal(await reach("frontend", apiIP), "ok");
    assert.match(await reach("other", apiIP), /^failed/);
  });

  it("kubelite why traffic names the policy and rule that allow or block a connection", async () => {
    const allowed = await kubelite(["why", "traffic", "--from", "pod/frontend", "--to", `pod/${apiPod}:8080`]);
    assert.match(allowed.stdout, /^ALLOWED: pod\/frontend .* on TCP\/8080$/m);
    assert.match(allowed.stdout, /ingress .*: allowed by networkpolicy\/api-server-policy ingress rule 1 \(spec\.ingress\[0\]\)/);
    assert.match(allowed.stdout, /egress .*: allowed: no policy selects pod frontend for egress: default allow/);
    const blocked = await kubelite(["why", "traffic", "--from", "pod/other", "--to", `pod/${apiPod}:8080`]);
    assert.match(blocked.stdout, /^BLOCKED: pod\/other /m);
    assert.match(blocked.stdout, /selected for ingress by networkpolicy\/api-server-policy/);
    assert.match(blocked.stdout, /networkpolicy\/api-server-policy ingress rule 1: the source pod\/other .* matches none of its from peers \(pods app=frontend\)/);
    const byAddress = await kubelite(["why", "traffic", "--from", "pod/other", "--to", `${apiIP}:8080`]);
    assert.match(byAddress.stdout, new RegExp(`^BLOCKED: pod/other .* → pod/${apiPod} \\(default, ${apiIP.replaceAll(".", "\\.")}\\)`, "m"));
    assert.match((await kubelite(["why", "traffic", "--from", "pod/frontend", "--to", `pod/${apiPod}:8080`, "-n", "nowhere"])).stdout, /pod\/frontend does not exist in namespace nowhere \(the namespace nowhere does not exist either\)/);
    const wrongPort = await kubelite(["why", "traffic", "--from", "pod/frontend", "--to", `pod/${apiPod}:9090`]);
    assert.match(wrongPort.stdout, /port TCP\/9090 is not among its ports \(TCP\/8080\)/);
  });

  it("kubelite why traffic follows a Service to its ready pods and names what is missing", async () => {
    await apply({ apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api-server" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } });
    await apply({ apiVersion: "v1", kind: "Service", metadata: { name: "nobody" }, spec: { selector: { app: "nobody" }, ports: [{ port: 80 }] } });
    const viaService = await kubelite(["why", "traffic", "--from", "pod/frontend", "--to", "svc/api:http"]);
    assert.equal(viaService.stdout.match(/^ALLOWED: /gm)?.length, 3, viaService.stdout);
    assert.match(viaService.stdout, /service\/api port 80 → target port 8080 on 3 ready pod\(s\)/);
    assert.match((await kubelite(["why", "traffic", "--from", "pod/frontend", "--to", "svc/api:81"])).stdout, /service\/api does not expose port 81\/TCP; its ports: 80\/TCP \(http\)/);
    assert.match((await kubelite(["why", "traffic", "--from", "pod/frontend", "--to", "svc/nobody:80"])).stdout, /selector app=nobody matches no pods in namespace default: it has no endpoints/);
    assert.match((await kubelite(["why", "traffic", "--from", "default/pod/frontend", "--to", "svc/api:80", "-n", "kube-system"])).stdout, /service\/api does not exist in namespace kube-system: .*a Service api exists in namespace default/);
    const usage = await kubelite(["why", "traffic", "--from", "pod/frontend", "--to", "svc/api"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /say which port/);
  });

  it("traffic to a ClusterIP is judged on the pod it is translated to: app=frontend passes, other pods do not", async () => {
    const clusterIP = (await kubectl(["get", "svc", "api", "-o", "jsonpath={.spec.clusterIP}"])).trim();
    await waitFor(async () => (await reach("frontend", clusterIP, 80)) === "ok", "frontend through the Service", 10_000);
    assert.match(await reach("other", clusterIP, 80), /^failed/);
  });

  it("kubelite why pod explains a pod that cannot be scheduled and a crash-looping container", async () => {
    await apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "nowhere" }, spec: { nodeSelector: { disk: "ssd" }, containers: [{ name: "c", image: "busybox", command: ["sleep", "1"] }] } });
    await apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "crasher" }, spec: { containers: [{ name: "c", image: "busybox", command: ["sh", "-c", "echo cannot open config; exit 3"] }] } });
    await waitFor(async () => /0\/1 nodes are available/.test((await kubelite(["why", "pod/nowhere"])).stdout), "the scheduler's message");
    const crash = await waitFor(async () => {
      const out = (await kubelite(["why", "pod/crasher"])).stdout;
      return /last exit: code 3/.test(out) && /cannot open config/.test(out) && out;
    }, "the crash explained");
    assert.match(crash, /container c: (waiting \(CrashLoopBackOff\)|terminated)/);
    await kubectl(["delete", "pod", "nowhere", "crasher", "--wait=false"]);
  });

  it("a changed policy is in force within a second", async (t) => {
    const policy = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "api-server-policy" },
      spec: { podSelector: { matchLabels: { app: "api-server" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: { matchLabels: { app: "other" } } }], ports: [{ port: 8080 }] }] },
    };
    const otherIP = (await kubectl(["get", "pod", "other", "-o", "jsonpath={.status.podIP}"])).trim();
    const table = async () => (await run("nsenter", [`--net=${nodeNetns()}`, "nft", "list", "table", "inet", "kubelite-policy"])).stdout;
    assert.ok(!(await table()).includes(otherIP));
    await apply(policy);
    const applied = Date.now();
    await waitFor(async () => (await table()).includes(otherIP), "the new peer in the table", 2_000);
    const tookMs = Date.now() - applied;
    t.diagnostic(`the changed policy was in the node's table ${tookMs} ms after kubectl apply returned`);
    assert.ok(tookMs < 1_000, `took ${tookMs} ms`);
    assert.equal(await reach("other", apiIP), "ok");
    assert.match(await reach("frontend", apiIP), /^failed/);
    await kubectl(["apply", "-f", join(ROOT, "..", "shared", "examples", "networkpolicy.yaml")]);
  });

  it("counts blocked packets per policy on the agent's /metrics and records an event on the policy", async () => {
    await waitFor(async () => /^kubelite_network_policy_drops_total\{namespace="default",policy="api-server-policy",direction="ingress"\} [1-9]/m.test(await kubectl(["get", "--raw", "/api/v1/nodes/kubelite-node/proxy/metrics"])), "the drop counter", 10_000);
    await waitFor(async () => /BlockedTraffic/.test(await kubectl(["get", "events", "--field-selector", "involvedObject.kind=NetworkPolicy"])), "the event", 10_000);
  });

  it("refuses malformed policies with upstream's messages", async () => {
    const bad = (spec: object) => server.kubectl(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "bad" }, spec: { podSelector: {}, ...spec } }) });
    const cidr = await bad({ ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/33" } }] }] });
    assert.notEqual(cidr.code, 0);
    assert.match(cidr.stderr, /spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: Invalid value: "10\.0\.0\.0\/33": must be a valid CIDR value/);
    const except = await bad({ ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.1.0.0/24"] } }] }] });
    assert.match(except.stderr, /spec\.ingress\[0\]\.from\[0\]\.ipBlock\.except\[0\]: Invalid value: "10\.1\.0\.0\/24": must be a strict subset of `cidr`/);
    const port = await bad({ ingress: [{ ports: [{ port: 70000 }] }] });
    assert.match(port.stderr, /spec\.ingress\[0\]\.ports\[0\]\.port: Invalid value: 70000: must be between 1 and 65535, inclusive/);
    const range = await bad({ egress: [{ ports: [{ port: 9000, endPort: 8000 }] }] });
    assert.match(range.stderr, /spec\.egress\[0\]\.ports\[0\]\.endPort: Invalid value: 9000: must be greater than or equal to `port`/);
  });
});

describe("network policy across nodes", { skip }, () => {
  let server: TestServer;
  const kubectl = (args: string[], input?: string) => server.kubectlOk(args, { input, timeoutMs: 90_000 });
  const apply = (manifest: object) => kubectl(["apply", "-f", "-"], JSON.stringify(manifest));
  const podOn = (name: string, node: string, labels: Record<string, string>, container: object) => apply({ apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec: { nodeName: node, containers: [{ name: "c", ...container }] } });
  const ipOf = async (name: string) => (await kubectl(["get", "pod", name, "-o", "jsonpath={.status.podIP}"])).trim();
  const reach = async (from: string, ip: string) => (await kubectl(["exec", from, "--", NODE, "-e", probeScript(`http://${ip}:8080/`)])).trim();

  before(async () => {
    server = await startTestServer({ agent: true, agents: 1 });
    const echo = { image: "kubelite/echo-server", env: [{ name: "PORT", value: "8080" }] };
    await podOn("api", "kubelite-node", { app: "api" }, echo);
    await podOn("db", "kubelite-node", { app: "db" }, echo);
    await podOn("frontend", "kubelite-node-agent-1", { app: "frontend" }, echo);
    await podOn("other", "kubelite-node-agent-1", { app: "other" }, echo);
    await kubectl(["wait", "--for=condition=Ready", "pod/api", "pod/db", "pod/frontend", "pod/other", "--timeout=60s"]);
  });
  after(async () => {
    await server?.close();
  });

  it("the destination's node enforces ingress and the source's node enforces egress", async () => {
    const [api, db] = [await ipOf("api"), await ipOf("db")];
    await apply({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "api-allow" }, spec: { podSelector: { matchLabels: { app: "api" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "frontend" } } }], ports: [{ port: 8080 }] }] } });
    await apply({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "frontend-egress" }, spec: { podSelector: { matchLabels: { app: "frontend" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "api" } } }] }] } });
    await waitFor(async () => (await reach("other", api)).startsWith("failed"), "other blocked from api", 5_000);
    assert.equal(await reach("frontend", api), "ok");
    assert.match(await reach("frontend", db), /^failed/, "egress of frontend is limited to app=api");
    assert.equal(await reach("other", db), "ok");
  });
});
