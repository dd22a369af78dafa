// cgroup v1 for the process runtime: a pod-level group and one child per container in the
// memory, cpu, cpuacct and pids hierarchies. Groups nest under the agent's own cgroup in each
// hierarchy (read from /proc/self/cgroup), below a configurable root name, so whatever limits the
// agent was started under also bound its pods. A group is a set of absolute directories, one per
// hierarchy, recorded with the sandbox or container so a later agent finds them wherever it runs.
// Limits follow upstream's conversions (pkg/kubelet/cm/helpers_linux.go): cpu.shares =
// millis*1024/1000 (at least 2), cpu.cfs_quota_us = millis*period/1000 (at least 1 ms) with a
// 100 ms period; memory.limit_in_bytes as given.
import fs from "node:fs";
import path from "node:path";
import type { ContainerResources } from "../runtime.js";

export const CONTROLLERS = ["memory", "cpu", "cpuacct", "pids"] as const;
export type Controller = (typeof CONTROLLERS)[number];
/** One group: its directory in each hierarchy. */
export type CgroupPaths = Record<Controller, string>;

const CPU_PERIOD_US = 100_000;
const MIN_SHARES = 2;
const MIN_QUOTA_US = 1000;

export class Cgroups {
  private readonly own: CgroupPaths;

  constructor(readonly mountPoint = "/sys/fs/cgroup", selfCgroupFile = "/proc/self/cgroup") {
    const own = ownCgroups(selfCgroupFile);
    this.own = Object.fromEntries(CONTROLLERS.map((c) => [c, path.join(mountPoint, c, own.get(c) ?? "/")])) as CgroupPaths;
  }

  /** True when every hierarchy is mounted (v1) and the agent's own group in it is writable. */
  available(): boolean {
    return CONTROLLERS.every((c) => {
      try {
        fs.accessSync(path.join(this.own[c], "cgroup.procs"), fs.constants.W_OK);
        return true;
      } catch {
        return false;
      }
    });
  }

  /** The group at relative path below the agent's own group in each hierarchy. */
  under(relative: string): CgroupPaths {
    return mapPaths(this.own, (dir) => path.join(dir, relative));
  }

  child(parent: CgroupPaths, name: string): CgroupPaths {
    return mapPaths(parent, (dir) => path.join(dir, name));
  }

  create(group: CgroupPaths): void {
    for (const c of CONTROLLERS) fs.mkdirSync(group[c], { recursive: true });
  }

  /** The cgroup.procs files a process writes its pid to, to join the group. */
  procsFiles(group: CgroupPaths): string[] {
    return CONTROLLERS.map((c) => path.join(group[c], "cgroup.procs"));
  }

  setResources(group: CgroupPaths, resources: ContainerResources): void {
    const memory = resources.memoryLimitBytes === undefined ? "-1" : String(resources.memoryLimitBytes);
    fs.writeFileSync(path.join(group.memory, "memory.limit_in_bytes"), memory);
    const shares = Math.max(MIN_SHARES, Math.floor(((resources.cpuRequestMillis ?? 0) * 1024) / 1000));
    fs.writeFileSync(path.join(group.cpu, "cpu.shares"), String(shares));
    fs.writeFileSync(path.join(group.cpu, "cpu.cfs_period_us"), String(CPU_PERIOD_US));
    const quota = resources.cpuLimitMillis === undefined ? -1 : Math.max(MIN_QUOTA_US, Math.floor((resources.cpuLimitMillis * CPU_PERIOD_US) / 1000));
    fs.writeFileSync(path.join(group.cpu, "cpu.cfs_quota_us"), String(quota));
  }

  read(group: CgroupPaths, controller: Controller, file: string): string | undefined {
    try {
      return fs.readFileSync(path.join(group[controller], file), "utf8");
    } catch {
      return undefined;
    }
  }

  /** Whether the kernel's OOM killer killed a process of this group (memory.oom_control). */
  oomKilled(group: CgroupPaths): boolean {
    const kills = /^oom_kill (\d+)/m.exec(this.read(group, "memory", "memory.oom_control") ?? "");
    if (kills) return Number(kills[1]) > 0;
    // Kernels before 4.13 have no oom_kill counter: a failed charge at the limit is the sign.
    return Number(this.read(group, "memory", "memory.failcnt") ?? "0") > 0;
  }

  pids(group: CgroupPaths): number[] {
    const text = this.read(group, "pids", "cgroup.procs") ?? "";
    return text.split("\n").filter(Boolean).map(Number);
  }

  stats(group: CgroupPaths): { cpuNanos: number; memoryUsage: number; workingSet: number } | undefined {
    const cpu = this.read(group, "cpuacct", "cpuacct.usage");
    const usage = this.read(group, "memory", "memory.usage_in_bytes");
    if (cpu === undefined || usage === undefined) return undefined;
    const inactive = /^total_inactive_file (\d+)/m.exec(this.read(group, "memory", "memory.stat") ?? "");
    const memoryUsage = Number(usage);
    // Upstream's working set: usage minus inactive file cache, never below zero.
    const workingSet = Math.max(0, memoryUsage - Number(inactive?.[1] ?? 0));
    return { cpuNanos: Number(cpu), memoryUsage, workingSet };
  }

  killAll(group: CgroupPaths): void {
    for (const pid of this.pids(group)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }

  /** Kills whatever is left in the group, then removes it from every hierarchy. */
  async remove(group: CgroupPaths): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      this.killAll(group);
      let busy = false;
      for (const c of CONTROLLERS) {
        try {
          fs.rmdirSync(group[c]);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") busy = true;
        }
      }
      if (!busy) return;
      // Killed processes take a moment to leave the group.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`cgroup ${group.memory} could not be removed: processes or child groups remain in it`);
  }
}

function mapPaths(paths: CgroupPaths, f: (dir: string) => string): CgroupPaths {
  return Object.fromEntries(CONTROLLERS.map((c) => [c, f(paths[c])])) as CgroupPaths;
}

/** controller → path of this process's group, from /proc/self/cgroup ("4:memory:/a/b"). */
function ownCgroups(file: string): Map<string, string> {
  const groups = new Map<string, string>();
  try {
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      const [, controllers, group] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
      for (const c of controllers?.split(",") ?? []) if (group !== undefined) groups.set(c, group);
    }
  } catch {
    // Not Linux: available() reports false.
  }
  return groups;
}
