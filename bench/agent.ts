// Node agent benchmarks on the real process runtime (isolated pod networking when root): how
// fast `kubectl apply` of a 3-replica echo-server Deployment with a readiness probe becomes
// Ready, pod start latency (create → Running) with 100 pods on one node, and the server's RSS
// (API, controllers, scheduler and agent in one process) idle and with those 100 pods. Servers run
// in this process with a temporary data dir; every pod is removed afterwards.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../src/log.js";
import { startServer, type StartedServer } from "../src/server.js";
import { defaultServerOptions } from "../src/server-options.js";
import { CORE_V1, APPS_V1, type Client } from "../src/client/client.js";
import { median, percentile, rssMb } from "./api.js";

const ADMIN = { name: "bench", groups: ["system:masters", "system:authenticated"] };

async function withServer<T>(fn: (server: StartedServer, client: Client) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), "kubelite-bench-agent-"));
  const server = await startServer({ ...defaultServerOptions(), dataDir, port: 0, datastore: "sqlite", logLevel: "error", nodeName: "bench-node" }, { log: createLogger("error"), removePodsOnClose: true });
  try {
    const client = server.client(ADMIN, "bench");
    await until(async () => ((await client.get(CORE_V1("nodes"), undefined, "bench-node")).status as { conditions?: { type: string; status: string }[] })?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false, 30_000);
    await until(async () => (await client.list(CORE_V1("serviceaccounts"), { namespace: "default" })).items.length > 0, 30_000);
    return await fn(server, client);
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function until(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await done()) return;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A 3-replica echo-server Deployment with a readiness probe (also behind the service benchmark's Service). */
export const DEPLOYMENT = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "echo" },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "echo" } },
    template: {
      metadata: { labels: { app: "echo" } },
      spec: { containers: [{ name: "echo", image: "kubelite/echo-server", ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: "/healthz", port: 8080 } } }] },
    },
  },
};

/** kubectl apply (the real kubectl, as a user runs it) until the Deployment reports 3 ready replicas. */
async function applyToReady(server: StartedServer, client: Client): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = execFile("kubectl", ["apply", "-f", "-"], { env: { ...process.env, KUBECONFIG: server.kubeconfigPath } }, (err) => (err ? reject(err) : resolve()));
    child.stdin?.end(JSON.stringify(DEPLOYMENT));
  });
  await until(async () => ((await client.get(APPS_V1("deployments"), "default", "echo")).status as { readyReplicas?: number })?.readyReplicas === 3, 60_000);
  const ms = performance.now() - t0;
  await client.delete(APPS_V1("deployments"), "default", "echo");
  await until(async () => (await client.list(CORE_V1("pods"), { namespace: "default" })).items.length === 0, 60_000);
  return ms;
}

/** Creates `count` pods at once; each one's time from create to Running with its container started. */
async function podStarts(client: Client, count: number): Promise<number[]> {
  const started = new Map<string, number>();
  const latencies: number[] = [];
  const listed = await client.list(CORE_V1("pods"), { namespace: "default" });
  const done = new Promise<void>((resolve, reject) => {
    const handle = client.watch(CORE_V1("pods"), { namespace: "default", resourceVersion: listed.resourceVersion }, {
      onEvent: (_type, pod) => {
        const name = pod.metadata?.name ?? "";
        const t = started.get(name);
        const status = pod.status as { phase?: string; containerStatuses?: { started?: boolean }[] } | undefined;
        if (t !== undefined && status?.phase === "Running" && status.containerStatuses?.every((c) => c.started)) {
          latencies.push(performance.now() - t);
          started.delete(name);
          if (latencies.length === count) {
            handle.stop();
            resolve();
          }
        }
      },
      onClose: (reason) => (latencies.length < count ? reject(reason.error ?? new Error("watch closed")) : undefined),
    });
  });
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = `sleeper-${i}`;
      started.set(name, performance.now());
      await client.create(CORE_V1("pods"), "default", { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }] } });
    }),
  );
  await done;
  return latencies;
}

export async function benchAgent(options: { runs?: number; pods?: number } = {}): Promise<Record<string, number>> {
  const runs = options.runs ?? 3;
  const pods = options.pods ?? 100;
  const ready: number[] = [];
  for (let i = 0; i < runs; i++) ready.push(await withServer((server, client) => applyToReady(server, client)));
  return withServer(async (_server, client) => {
    await new Promise((r) => setTimeout(r, 2_000));
    const idleRss = await rssMb(process.pid);
    const latencies = await podStarts(client, pods);
    const busyRss = await rssMb(process.pid);
    return {
      deploymentApplyToReadyMs: Math.round(median(ready)),
      podStartP50Ms: Math.round(percentile(latencies, 50)),
      podStartP99Ms: Math.round(percentile(latencies, 99)),
      pods,
      serverRssIdleMb: Math.round(idleRss),
      serverRssWithPodsMb: Math.round(busyRss),
    };
  });
}
