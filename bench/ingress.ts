// The built-in ingress (`npm run bench -- --only ingress`): requests per second through it and the
// latency it adds over reaching the pods directly through the same path into the node's network
// (the dial helper), which a plain TCP forwarder on 127.0.0.1 stands for. A server in this process
// runs a 2-replica kubelite/echo-server Deployment behind a Service and an Ingress; the load comes
// from a worker thread over keep-alive connections: `concurrency` at once for throughput, one at a
// time for latency. Medians over several runs.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { get } from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { createLogger } from "../src/log.js";
import { startServer, type StartedServer } from "../src/server.js";
import { defaultServerOptions } from "../src/server-options.js";
import { APPS_V1, CORE_V1, type Client } from "../src/client/client.js";
import { median, percentile } from "./api.js";
import type { LoadJob, LoadResult } from "./ingress-load.js";

const ADMIN = { name: "bench", groups: ["system:masters", "system:authenticated"] };
const HOST = "echo.bench.local";

const MANIFESTS = [
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "echo" },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "echo" } },
      template: { metadata: { labels: { app: "echo" } }, spec: { containers: [{ name: "echo", image: "kubelite/echo-server", ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: "/healthz", port: 8080 } } }] } },
    },
  },
  { apiVersion: "v1", kind: "Service", metadata: { name: "echo" }, spec: { selector: { app: "echo" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } },
  {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "echo" },
    spec: { rules: [{ host: HOST, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "echo", port: { number: 80 } } } }] } }] },
  },
];

function load(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./ingress-load.js", import.meta.url), { workerData: job });
    worker.once("message", (result: LoadResult) => resolve(result));
    worker.once("error", reject);
  });
}

/** A TCP forwarder on 127.0.0.1 into one pod through the node's dial path: "direct" access. */
async function directForwarder(server: StartedServer, nodeName: string, ip: string): Promise<{ port: number; close(): void }> {
  const forwarder = net.createServer((client) => {
    client.pause();
    server.agents.dial(nodeName, ip, 8080).then(
      (pod) => {
        pod.on("error", () => client.destroy());
        client.on("error", () => pod.destroy());
        client.pipe(pod).pipe(client);
        client.resume();
      },
      () => client.destroy(),
    );
  });
  await new Promise<void>((resolve) => forwarder.listen(0, "127.0.0.1", resolve));
  return { port: (forwarder.address() as net.AddressInfo).port, close: () => forwarder.close() };
}

async function until(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done().catch(() => false))) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setUp(server: StartedServer, client: Client): Promise<{ nodeName: string; ip: string }> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile("kubectl", ["apply", "-f", "-"], { env: { ...process.env, KUBECONFIG: server.kubeconfigPath } }, (err) => (err ? reject(err) : resolve()));
    child.stdin?.end(MANIFESTS.map((m) => JSON.stringify(m)).join("\n"));
  });
  await until(async () => ((await client.get(APPS_V1("deployments"), "default", "echo")).status as { readyReplicas?: number })?.readyReplicas === 2, 60_000);
  const pod = (await client.list(CORE_V1("pods"), { namespace: "default", labelSelector: "app=echo" })).items[0]!;
  const port = server.ingress!.httpPort!;
  // fetch() cannot set Host: one plain request instead.
  const status = () => new Promise<number>((resolve) => get({ host: "127.0.0.1", port, headers: { host: HOST } }, (res) => resolve(res.resume().statusCode ?? 0)).on("error", () => resolve(0)));
  await until(async () => (await status()) === 200, 30_000);
  return { nodeName: (pod.spec as { nodeName: string }).nodeName, ip: (pod.status as { podIP: string }).podIP };
}

export async function benchIngress(options: { runs?: number; durationMs?: number; concurrency?: number } = {}): Promise<Record<string, number | string>> {
  const runs = options.runs ?? 3;
  const durationMs = options.durationMs ?? 3_000;
  const concurrency = options.concurrency ?? 16;
  const dataDir = await mkdtemp(join(tmpdir(), "kubelite-bench-ingress-"));
  const server = await startServer(
    { ...defaultServerOptions(), dataDir, port: 0, datastore: "sqlite", logLevel: "error", nodeName: "bench-node", ingressHttpPort: 0, ingressHttpsPort: 0 },
    { log: createLogger("error"), removePodsOnClose: true },
  );
  try {
    const client = server.client(ADMIN, "bench");
    await until(async () => (await client.list(CORE_V1("serviceaccounts"), { namespace: "default" })).items.length > 0, 30_000);
    const pod = await setUp(server, client);
    const direct = await directForwarder(server, pod.nodeName, pod.ip);
    const ingressTarget = { port: server.ingress!.httpPort!, host: HOST };
    const directTarget = { port: direct.port, host: HOST };
    const figures = { ingressRps: [] as number[], directRps: [] as number[], ingressP50: [] as number[], directP50: [] as number[], ingressP99: [] as number[], directP99: [] as number[] };
    await load({ ...ingressTarget, concurrency, durationMs: 500 }); // warm both paths
    await load({ ...directTarget, concurrency, durationMs: 500 });
    for (let i = 0; i < runs; i++) {
      const throughIngress = await load({ ...ingressTarget, concurrency, durationMs });
      const throughDirect = await load({ ...directTarget, concurrency, durationMs });
      figures.ingressRps.push(throughIngress.requests / (durationMs / 1000));
      figures.directRps.push(throughDirect.requests / (durationMs / 1000));
      const ingressOne = await load({ ...ingressTarget, concurrency: 1, durationMs: durationMs / 2 });
      const directOne = await load({ ...directTarget, concurrency: 1, durationMs: durationMs / 2 });
      figures.ingressP50.push(percentile(ingressOne.latenciesMs, 50));
      figures.directP50.push(percentile(directOne.latenciesMs, 50));
      figures.ingressP99.push(percentile(ingressOne.latenciesMs, 99));
      figures.directP99.push(percentile(directOne.latenciesMs, 99));
    }
    direct.close();
    const round = (n: number, digits = 0) => Number(n.toFixed(digits));
    return {
      concurrency,
      ingressRequestsPerSecond: round(median(figures.ingressRps)),
      directRequestsPerSecond: round(median(figures.directRps)),
      ingressLatencyP50Ms: round(median(figures.ingressP50), 2),
      directLatencyP50Ms: round(median(figures.directP50), 2),
      addedLatencyP50Ms: round(median(figures.ingressP50) - median(figures.directP50), 2),
      ingressLatencyP99Ms: round(median(figures.ingressP99), 2),
      directLatencyP99Ms: round(median(figures.directP99), 2),
      network: "isolated (dial helper)",
    };
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
