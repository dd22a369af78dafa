// Resource usage of this node and its pods, as the kubelet serves it: the Summary API
// (/stats/summary: node and per-pod, per-container CPU and memory, the node's filesystem) that
// metrics pipelines read, and the same figures as Prometheus text on /metrics/resource
// (container_cpu_usage_seconds_total, container_memory_working_set_bytes, pod_* and node_*).
// Container figures come from the runtime (cgroups, or /proc without them); the node's from /proc.
// CPU rates (usageNanoCores) are computed between successive samples.
import { readFileSync, statfsSync } from "node:fs";
import os from "node:os";
import { rfc3339 } from "../api/meta-time.js";
import { CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL, type Runtime } from "./runtime/runtime.js";

export interface CpuStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds: number;
}

export interface MemoryStats {
  time: string;
  usageBytes: number;
  workingSetBytes: number;
  availableBytes?: number;
}

export interface ContainerSummary {
  name: string;
  startTime: string;
  cpu: CpuStats;
  memory: MemoryStats;
}

export interface PodSummary {
  podRef: { name: string; namespace: string; uid: string };
  startTime: string;
  containers: ContainerSummary[];
  cpu: CpuStats;
  memory: MemoryStats;
}

export interface Summary {
  node: { nodeName: string; startTime: string; cpu: CpuStats; memory: MemoryStats; fs: { time: string; availableBytes: number; capacityBytes: number; usedBytes: number } };
  pods: PodSummary[];
}

/** Keeps the previous CPU sample of each container (and the node) to turn counters into rates. */
export class StatsCollector {
  private readonly previous = new Map<string, { ns: number; at: number }>();
  private readonly bootTime = rfc3339(Date.now() - os.uptime() * 1000);

  constructor(private readonly options: { nodeName: string; dataDir: string; runtime: () => Runtime }) {}

  async summary(): Promise<Summary> {
    const runtime = this.options.runtime();
    const now = new Date();
    const time = rfc3339(now);
    const pods = new Map<string, PodSummary>();
    for (const sandbox of await runtime.listPodSandboxes()) {
      if (sandbox.state !== "ready") continue;
      const uid = sandbox.labels[POD_UID_LABEL] ?? "";
      const containers: ContainerSummary[] = [];
      for (const container of await runtime.listContainers({ sandboxId: sandbox.id })) {
        if (container.state !== "running") continue;
        const stats = await runtime.containerStats(container.id);
        if (!stats) continue;
        containers.push({
          name: container.labels[CONTAINER_NAME_LABEL] ?? container.name,
          startTime: rfc3339(container.startedAt ?? container.createdAt),
          cpu: { time, usageCoreNanoSeconds: stats.cpuUsageNanoSeconds, usageNanoCores: this.rate(container.id, stats.cpuUsageNanoSeconds, now.getTime()) },
          memory: { time, usageBytes: stats.memoryUsageBytes, workingSetBytes: stats.memoryWorkingSetBytes },
        });
      }
      const sum = (f: (c: ContainerSummary) => number | undefined) => containers.reduce((total, c) => total + (f(c) ?? 0), 0);
      pods.set(uid, {
        podRef: { name: sandbox.labels[POD_NAME_LABEL] ?? "", namespace: sandbox.labels[POD_NAMESPACE_LABEL] ?? "", uid },
        startTime: rfc3339(sandbox.createdAt),
        containers,
        cpu: { time, usageCoreNanoSeconds: sum((c) => c.cpu.usageCoreNanoSeconds), usageNanoCores: sum((c) => c.cpu.usageNanoCores) },
        memory: { time, usageBytes: sum((c) => c.memory.usageBytes), workingSetBytes: sum((c) => c.memory.workingSetBytes) },
      });
    }
    const nodeCpuNs = nodeCpuNanoSeconds();
    const memory = nodeMemory();
    const fs = statfsSync(this.options.dataDir);
    return {
      node: {
        nodeName: this.options.nodeName,
        startTime: this.bootTime,
        cpu: { time, usageCoreNanoSeconds: nodeCpuNs, usageNanoCores: this.rate("node", nodeCpuNs, now.getTime()) },
        memory: { time, ...memory },
        fs: { time, availableBytes: fs.bavail * fs.bsize, capacityBytes: fs.blocks * fs.bsize, usedBytes: (fs.blocks - fs.bfree) * fs.bsize },
      },
      pods: [...pods.values()],
    };
  }

  /** The Summary as Prometheus text, with the kubelet's /metrics/resource names. */
  async resourceMetrics(): Promise<string> {
    const summary = await this.summary();
    const at = Date.now();
    const lines: string[] = [];
    const family = (name: string, help: string, type: string, samples: [Record<string, string>, number][]) => {
      lines.push(`# HELP ${name} [STABLE] ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labelText(labels)} ${value} ${at}`);
    };
    const containers = summary.pods.flatMap((p) => p.containers.map((c) => [{ container: c.name, namespace: p.podRef.namespace, pod: p.podRef.name }, c] as const));
    const pods = summary.pods.map((p) => [{ namespace: p.podRef.namespace, pod: p.podRef.name }, p] as const);
    family("container_cpu_usage_seconds_total", "Cumulative cpu time consumed by the container in core-seconds", "counter", containers.map(([l, c]) => [l, c.cpu.usageCoreNanoSeconds / 1e9]));
    family("container_memory_working_set_bytes", "Current working set of the container in bytes", "gauge", containers.map(([l, c]) => [l, c.memory.workingSetBytes]));
    family("pod_cpu_usage_seconds_total", "Cumulative cpu time consumed by the pod in core-seconds", "counter", pods.map(([l, p]) => [l, p.cpu.usageCoreNanoSeconds / 1e9]));
    family("pod_memory_working_set_bytes", "Current working set of the pod in bytes", "gauge", pods.map(([l, p]) => [l, p.memory.workingSetBytes]));
    family("node_cpu_usage_seconds_total", "Cumulative cpu time consumed by the node in core-seconds", "counter", [[{}, summary.node.cpu.usageCoreNanoSeconds / 1e9]]);
    family("node_memory_working_set_bytes", "Current working set of the node in bytes", "gauge", [[{}, summary.node.memory.workingSetBytes]]);
    return `${lines.join("\n")}\n`;
  }

  private rate(key: string, ns: number, at: number): number | undefined {
    const before = this.previous.get(key);
    this.previous.set(key, { ns, at });
    if (!before || at <= before.at || ns < before.ns) return undefined;
    return Math.round(((ns - before.ns) / (at - before.at)) * 1e6);
  }
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}` : "";
}

/** All CPUs' busy time (user, nice, system, irq, softirq, steal) from /proc/stat, in nanoseconds. */
function nodeCpuNanoSeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const ticks = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
  return (ticks / 100) * 1e9; // USER_HZ is 100 on Linux
}

function nodeMemory(): { usageBytes: number; workingSetBytes: number; availableBytes: number } {
  const info = readFileSync("/proc/meminfo", "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(info)?.[1] ?? 0) * 1024;
  const total = kb("MemTotal");
  const available = kb("MemAvailable");
  const usage = total - kb("MemFree");
  // upstream: working set = usage - inactive file pages
  return { usageBytes: usage, workingSetBytes: Math.max(0, usage - kb("Inactive\\(file\\)")), availableBytes: available };
}
