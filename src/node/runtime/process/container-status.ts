// How the process runtime reports a container: its record as a ContainerStatus, and its usage,
// from its cgroup (cpuacct.usage, memory usage and working set) or, without cgroups, from /proc
// for the container's main process.
import type { ContainerStats, ContainerStatus } from "../runtime.js";
import type { Cgroups } from "./cgroups.js";
import { isSameProcessAlive, processCpuNanos, processMemoryBytes } from "./proc.js";
import type { ContainerRecord } from "./records.js";

export function statsOf(record: ContainerRecord, cgroups: Cgroups | undefined, timestamp: Date): ContainerStats {
  const containerId = record.id;
  const fromCgroup = record.cgroup ? cgroups?.stats(record.cgroup) : undefined;
  if (fromCgroup) {
    return { containerId, timestamp, cpuUsageNanoSeconds: fromCgroup.cpuNanos, memoryUsageBytes: fromCgroup.memoryUsage, memoryWorkingSetBytes: fromCgroup.workingSet };
  }
  const pid = record.state === "running" && record.pid !== undefined && isSameProcessAlive(record.pid, record.pidStartTime) ? record.pid : undefined;
  const memory = pid === undefined ? 0 : (processMemoryBytes(pid) ?? 0);
  const cpu = pid === undefined ? 0 : (processCpuNanos(pid) ?? 0);
  return { containerId, timestamp, cpuUsageNanoSeconds: cpu, memoryUsageBytes: memory, memoryWorkingSetBytes: memory };
}

export function toStatus(record: ContainerRecord): ContainerStatus {
  return {
    id: record.id,
    sandboxId: record.sandboxId,
    name: record.config.name,
    attempt: record.config.attempt,
    state: record.state,
    image: record.config.image,
    createdAt: new Date(record.createdAt),
    startedAt: record.startedAt ? new Date(record.startedAt) : undefined,
    finishedAt: record.finishedAt ? new Date(record.finishedAt) : undefined,
    exitCode: record.exitCode,
    reason: record.reason,
    message: record.message,
    logPath: record.logPath,
    labels: record.config.labels,
    resources: record.resources,
  };
}
