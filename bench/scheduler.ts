// Scheduler benchmark: 30,000 pods onto 5,000 nodes in memory (no API), through the default profile's
// full cycle (filter, score, assume, reserve, bind with a no-op binder). "plain" pods only request
// resources; "mixed" adds what real workloads carry: zone spread constraints, hostname anti-affinity,
// node selectors, tolerations of tainted nodes. Figures are pods per second (wall clock and per
// CPU-second) and cycle latency percentiles (ms), on one core. `node dist/bench/scheduler.js` prints them as JSON.
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import type { Node, Pod } from "../src/scheduler/api-types.js";
import { Cache } from "../src/scheduler/cache.js";
import { defaultProfile, inTreeRegistry } from "../src/scheduler/plugins/index.js";
import { Framework } from "../src/scheduler/framework-runtime.js";
import { Scheduler } from "../src/scheduler/schedule-one.js";

export interface SchedulerBenchOptions {
  nodes?: number;
  pods?: number;
  zones?: number;
}

/** mulberry32: a deterministic random source, so runs are comparable. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function node(i: number, zones: number): Node {
  const name = `node-${i}`;
  const tainted = i % 13 === 0;
  return {
    metadata: { name, labels: { "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": `zone-${i % zones}`, "disk": i % 3 === 0 ? "ssd" : "hdd" } },
    spec: { taints: tainted ? [{ key: "dedicated", value: "batch", effect: "NoSchedule" }] : [] },
    status: { allocatable: { cpu: "32", memory: "128Gi", pods: 110 } },
  };
}

function plainPod(i: number): Pod {
  const app = `app-${i % 600}`;
  return {
    metadata: { name: `pod-${i}`, namespace: `ns-${i % 20}`, uid: `uid-${i}`, labels: { app } },
    spec: { containers: [{ name: "c", resources: { requests: { cpu: `${100 + (i % 5) * 100}m`, memory: `${128 * (1 + (i % 4))}Mi` } } }] },
  };
}

/** Every third pod spreads over zones, every tenth avoids its app's pods per host, some select or tolerate. */
function mixedPod(i: number): Pod {
  const pod = plainPod(i);
  const spec = pod.spec ?? {};
  const app = pod.metadata?.labels?.["app"] ?? "";
  if (i % 3 === 0) {
    spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app } } }];
  }
  if (i % 10 === 1) {
    spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app } } }] } };
  }
  if (i % 7 === 2) spec.nodeSelector = { disk: "ssd" };
  if (i % 5 === 3) spec.tolerations = [{ key: "dedicated", operator: "Equal", value: "batch", effect: "NoSchedule" }];
  return pod;
}

function percentile(sorted: number[], p: number): number {
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0) * 1000) / 1000;
}

async function run(o: Required<SchedulerBenchOptions>, podOf: (i: number) => Pod): Promise<Record<string, number>> {
  const cache = new Cache();
  for (let i = 0; i < o.nodes; i++) cache.addNode(node(i, o.zones));
  const framework = new Framework({ profile: defaultProfile(), registry: inTreeRegistry(), snapshot: cache, random: seeded(7), bindPod: async () => {} });
  const scheduler = new Scheduler({ framework, cache });
  const pods = Array.from({ length: o.pods }, (_, i) => podOf(i));
  const latencies: number[] = [];
  let unschedulable = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (const pod of pods) {
    const t0 = performance.now();
    const out = scheduler.schedulingCycle(pod);
    latencies.push(performance.now() - t0);
    if (out.kind === "scheduled") await scheduler.bindingCycle(out);
    else unschedulable++;
  }
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    podsPerSec: Math.round((o.pods / elapsed) * 1000),
    // Pods per second of this process's CPU time: steady when other processes share the machine.
    podsPerCpuSec: Math.round((o.pods / cpuMs) * 1000),
    cycleP50Ms: percentile(latencies, 50),
    cycleP99Ms: percentile(latencies, 99),
    unschedulable,
  };
}

export async function benchScheduler(options: SchedulerBenchOptions = {}): Promise<Record<string, number>> {
  const o: Required<SchedulerBenchOptions> = { nodes: 5_000, pods: 30_000, zones: 10, ...options };
  const plain = await run(o, plainPod);
  const mixed = await run(o, mixedPod);
  const out: Record<string, number> = { nodes: o.nodes, pods: o.pods };
  for (const [k, v] of Object.entries(plain)) out[`plain.${k}`] = v;
  for (const [k, v] of Object.entries(mixed)) out[`mixed.${k}`] = v;
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchScheduler(), null, 2));
}
