// Reconcile-loop benchmarks on simulated nodes: scheduling throughput (5,000 nodes, 30,000 pods
// created through the API, time until every pod is bound) and a 10,000-replica Deployment (time
// until all replicas are Running, and the server's RSS then).
import { client, createPods, median, rssMb, startServerProcess, stopServerProcess, type Call } from "./api.js";

/** Polls until `done` holds, returning the elapsed milliseconds since `since`. */
async function until(done: () => Promise<boolean>, since: number, what: string, timeoutMs = 600_000): Promise<number> {
  for (;;) {
    if (await done()) return performance.now() - since;
    if (performance.now() - since > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** How many objects a LIST would return, read from a one-item page so polling stays cheap. */
async function count(call: Call, path: string): Promise<number> {
  const reply = await call("GET", `${path}${path.includes("?") ? "&" : "?"}limit=1`);
  const page = JSON.parse(reply.text()) as { items: unknown[]; metadata: { remainingItemCount?: number } };
  return page.items.length + (page.metadata.remainingItemCount ?? 0);
}

export async function benchScheduling(nodes = 5_000, pods = 30_000): Promise<{ podsBoundPerSecond: number; seconds: number }> {
  const s = await startServerProcess("sqlite", ["--simulated-nodes", String(nodes), "--simulated-node-capacity", "cpu=32,memory=128Gi,pods=110"]);
  try {
    const call = await client(s);
    await until(async () => (await count(call, "/api/v1/nodes")) === nodes, performance.now(), "the nodes");
    const t0 = performance.now();
    await createPods(call, "sched", pods, 64);
    const ms = await until(async () => (await count(call, "/api/v1/pods?fieldSelector=spec.nodeName%3D")) === 0, t0, "every pod to be bound");
    return { podsBoundPerSecond: pods / (ms / 1000), seconds: ms / 1000 };
  } finally {
    await stopServerProcess(s);
  }
}

export async function benchDeployment(replicas = 10_000, nodes = 100): Promise<{ secondsToAllRunning: number; rssMb: number }> {
  const s = await startServerProcess("sqlite", ["--simulated-nodes", String(nodes), "--simulated-node-capacity", "cpu=1000,memory=4Ti,pods=200"]);
  try {
    const call = await client(s);
    const t0 = performance.now();
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "big" },
      spec: { replicas, selector: { matchLabels: { app: "big" } }, template: { metadata: { labels: { app: "big" } }, spec: { containers: [{ name: "c", image: "busybox", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] } } },
    };
    const created = await call("POST", "/apis/apps/v1/namespaces/default/deployments", JSON.stringify(deployment));
    if (created.status !== 201) throw new Error(`deployment create failed: ${created.status}`);
    const ms = await until(async () => (await count(call, "/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DRunning")) === replicas, t0, "all replicas Running");
    return { secondsToAllRunning: ms / 1000, rssMb: await rssMb(s.child.pid!) };
  } finally {
    await stopServerProcess(s);
  }
}

export async function benchReconcile(options: { runs?: number; quick?: boolean } = {}): Promise<Record<string, number>> {
  const runs = options.runs ?? 3;
  const sched: number[] = [];
  const deploy: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = options.quick ? await benchScheduling(500, 3_000) : await benchScheduling();
    sched.push(s.podsBoundPerSecond);
    const d = options.quick ? await benchDeployment(1_000, 20) : await benchDeployment();
    deploy.push(d.secondsToAllRunning);
    rss.push(d.rssMb);
  }
  return { schedulingPodsPerSecond: median(sched), deployment10kSecondsToRunning: median(deploy), deployment10kRssMb: median(rss) };
}
