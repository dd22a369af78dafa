// API server benchmarks: start to /readyz on an empty data dir, pod create throughput and latency
// at concurrency 32, LIST of 30,000 pods, watch delivery latency and the server's RSS. The server
// runs as its own process (`kubelite server`), the client here, both on loopback.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const BIN = fileURLToPath(new URL("../../bin/kubelite.js", import.meta.url));
/** The node flags the executable's `#!/usr/bin/env -S node ...` line runs the server with. */
const NODE_FLAGS = readFileSync(BIN, "utf8").split("\n", 1)[0]!.split(/\s+/).filter((word) => word.startsWith("--"));

interface Started {
  child: ChildProcess;
  dataDir: string;
  port: number;
  startMs: number;
}

/** Starts `kubelite server` on a fresh data dir and measures the time until /readyz answers 200. */
export async function startServerProcess(datastore = "sqlite", extraArgs: string[] = []): Promise<Started> {
  const dataDir = await mkdtemp(join(tmpdir(), "kubelite-bench-"));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const t0 = performance.now();
  const child = spawn(process.execPath, [...NODE_FLAGS, BIN, "server", "--data-dir", dataDir, "--port", String(port), "--datastore", datastore, "--log-level", "error", "--disable-agent", ...extraArgs], { stdio: ["ignore", "ignore", "inherit"] });
  const agent = new Agent({ rejectUnauthorized: false, keepAlive: true });
  for (;;) {
    const status = await new Promise<number>((done) => {
      const req = request({ host: "127.0.0.1", port, path: "/readyz", agent }, (res) => {
        res.resume();
        done(res.statusCode ?? 0);
      });
      req.on("error", () => done(0));
      req.end();
    });
    if (status === 200) break;
    if (performance.now() - t0 > 30_000) throw new Error("server did not become ready in 30 s");
    await new Promise((r) => setTimeout(r, 2));
  }
  agent.destroy();
  return { child, dataDir, port, startMs: performance.now() - t0 };
}

export async function stopServerProcess(s: Started): Promise<void> {
  const exited = new Promise((r) => s.child.once("exit", r));
  s.child.kill("SIGTERM");
  await exited;
  await rm(s.dataDir, { recursive: true, force: true });
}

/** A reply: its status, its size, and its text (decoded only when asked, as the bench times the transfer). */
export type Call = (method: string, path: string, body?: string) => Promise<{ status: number; bytes: number; text(): string }>;

export async function client(s: Started): Promise<Call> {
  const config = parse(await readFile(join(s.dataDir, "kubeconfig.yaml"), "utf8")) as {
    clusters: { cluster: { "certificate-authority-data": string } }[];
    users: { user: { "client-certificate-data": string; "client-key-data": string } }[];
  };
  const b64 = (v: string) => Buffer.from(v, "base64");
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 64,
    ca: b64(config.clusters[0]!.cluster["certificate-authority-data"]),
    cert: b64(config.users[0]!.user["client-certificate-data"]),
    key: b64(config.users[0]!.user["client-key-data"]),
  });
  return (method, path, body) =>
    new Promise((done, fail) => {
      const headers: Record<string, string | number> = { Accept: "application/json" };
      if (body) Object.assign(headers, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
      const req = request({ host: "127.0.0.1", port: s.port, method, path, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done({ status: res.statusCode ?? 0, bytes: chunks.reduce((n, c) => n + c.length, 0), text: () => Buffer.concat(chunks).toString() }));
      });
      req.on("error", fail);
      req.end(body);
    });
}

function podJson(name: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: "bench", tier: "backend" } },
    spec: {
      containers: [
        {
          name: "api-server",
          image: "myregistry/api-server:v1.2.3",
          ports: [{ containerPort: 8080 }],
          resources: { requests: { memory: "512Mi", cpu: "250m" }, limits: { memory: "1Gi", cpu: "500m" } },
        },
      ],
    },
  });
}

/** Creates `count` pods with `concurrency` requests in flight; returns per-request latencies in ms. */
export async function createPods(call: Call, prefix: string, count: number, concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t = performance.now();
      const reply = await call("POST", "/api/v1/namespaces/default/pods", podJson(`${prefix}-${i}`));
      if (reply.status !== 201) throw new Error(`create failed: ${reply.status} ${reply.text().slice(0, 300)}`);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
  return kb / 1024;
}

/** Time from a create's acknowledgement to its ADDED event on an open watch. */
async function watchLatency(s: Started, call: Call, samples: number): Promise<number[]> {
  const pending = new Map<string, number>();
  const latencies: number[] = [];
  const config = parse(await readFile(join(s.dataDir, "kubeconfig.yaml"), "utf8")) as { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };
  const b64 = (v: string | undefined) => Buffer.from(v ?? "", "base64");
  const watchReq = request({
    host: "127.0.0.1",
    port: s.port,
    path: "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=0",
    ca: b64(config.clusters[0]!.cluster["certificate-authority-data"]),
    cert: b64(config.users[0]!.user["client-certificate-data"]),
    key: b64(config.users[0]!.user["client-key-data"]),
  });
  const done = new Promise<void>((resolve) => {
    watchReq.on("response", (res) => {
      let buffer = "";
      res.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        let nl;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const event = JSON.parse(buffer.slice(0, nl)) as { object: { metadata: { name: string } } };
          buffer = buffer.slice(nl + 1);
          const sent = pending.get(event.object.metadata.name);
          if (sent !== undefined) latencies.push(performance.now() - sent);
          if (latencies.length === samples) resolve();
        }
      });
    });
  });
  watchReq.end();
  for (let i = 0; i < samples; i++) {
    const name = `watch-${i}`;
    pending.set(name, performance.now());
    await call("POST", "/api/v1/namespaces/default/configmaps", JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { i: String(i) } }));
  }
  await done;
  watchReq.destroy();
  return latencies;
}

export interface ApiBenchResult {
  startToReadyMs: number;
  createPodsPerSecond: number;
  createP50Ms: number;
  createP99Ms: number;
  list30kPodsMs: number;
  watchP50Ms: number;
  watchP99Ms: number;
  rssMbWith30kPods: number;
}

export async function benchApi(options: { runs?: number; pods?: number; listPods?: number } = {}): Promise<ApiBenchResult> {
  const runs = options.runs ?? 3;
  const starts: number[] = [];
  for (let i = 0; i < Math.max(5, runs); i++) {
    const s = await startServerProcess();
    starts.push(s.startMs);
    await stopServerProcess(s);
  }
  const throughput: number[] = [];
  const p50s: number[] = [];
  const p99s: number[] = [];
  const lists: number[] = [];
  const watchP50: number[] = [];
  const watchP99: number[] = [];
  const rss: number[] = [];
  for (let run = 0; run < runs; run++) {
    // The API server alone, as the upstream figures measure kube-apiserver + etcd alone.
    const s = await startServerProcess("sqlite", ["--disable-scheduler", "--disable-controller-manager"]);
    try {
      const call = await client(s);
      // Pods run as the namespace's default account, which the (disabled) controller manager would create.
      await call("POST", "/api/v1/namespaces/default/serviceaccounts", JSON.stringify({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } }));
      const pods = options.pods ?? 10_000;
      const t = performance.now();
      const latencies = await createPods(call, "bench", pods, 32);
      throughput.push(pods / ((performance.now() - t) / 1000));
      p50s.push(percentile(latencies, 50));
      p99s.push(percentile(latencies, 99));
      const total = options.listPods ?? 30_000;
      if (total > pods) await createPods(call, "fill", total - pods, 64);
      for (let i = 0; i < 3; i++) {
        const t1 = performance.now();
        const reply = await call("GET", "/api/v1/pods");
        if (reply.status !== 200) throw new Error(`list failed: ${reply.status}`);
        lists.push(performance.now() - t1);
      }
      rss.push(await rssMb(s.child.pid!));
      const w = await watchLatency(s, call, 500);
      watchP50.push(percentile(w, 50));
      watchP99.push(percentile(w, 99));
    } finally {
      await stopServerProcess(s);
    }
  }
  return {
    startToReadyMs: median(starts),
    createPodsPerSecond: median(throughput),
    createP50Ms: median(p50s),
    createP99Ms: median(p99s),
    list30kPodsMs: median(lists),
    watchP50Ms: median(watchP50),
    watchP99Ms: median(watchP99),
    rssMbWith30kPods: median(rss),
  };
}
