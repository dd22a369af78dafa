// The process runtime: each container is a host process started through a detached shim (see
// shim.ts), so containers outlive the agent and a new ProcessRuntime on the same state directory
// adopts them. As root on Linux (cgroup v1) it adds per-pod and per-container cgroups, the pod's
// network and UTS namespaces, a private mount namespace per container and user switching; without
// root it runs plain host processes and says so once. Sandbox operations live in sandboxes.ts.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Duplex } from "node:stream";
import { realClock, type Clock } from "../../../client/clock.js";
import { createLogger, type Logger } from "../../../log.js";
import type { ImageResolver } from "../../images/image-resolver.js";
import type { Launcher } from "../../launcher/launcher.js";
import { LocalLauncher } from "../../launcher/local-launcher.js";
import type { PodNetwork } from "../../network/pod-network.js";
import type {
  ContainerConfig, ContainerResources, ContainerStats, ContainerStatus, ExecOptions, ExecResult, ExecSession,
  ImageInfo, Runtime, RuntimeEvent, SandboxConfig, SandboxStatus,
} from "../runtime.js";
import { attach } from "./attach.js";
import { Cgroups, type CgroupPaths } from "./cgroups.js";
import { setUpContainer } from "./container-setup.js";
import { execToEnd, startExec, type ExecTarget } from "./exec.js";
import { readTermination, vanished, type Termination } from "./exit-status.js";
import { removeIfEmpty } from "./host-paths.js";
import { LogCopier } from "./log-copier.js";
import { isSameProcessAlive, processStartTime } from "./proc.js";
import { statsOf, toStatus } from "./container-status.js";
import { resolveImage } from "./process-spec.js";
import type { ContainerRecord } from "./records.js";
import { Sandboxes } from "./sandboxes.js";
import { launchShim, readNumberFile, SHIM_FILES, waitForPidFile } from "./shim.js";
import { StateStore } from "./state-store.js";
import { rotatedFiles } from "./cri-log.js";

export interface ProcessRuntimeOptions {
  stateDir: string;
  network: PodNetwork;
  images: ImageResolver;
  log?: Logger;
  clock?: Clock;
  /** Parent of every pod's cgroup in each v1 hierarchy (default "kubelite"). */
  cgroupRoot?: string;
  /** Where the cgroup v1 hierarchies are mounted (default /sys/fs/cgroup). */
  cgroupMount?: string;
  /** Container log rotation: default 10 MiB per file, 5 files. */
  logMaxSizeBytes?: number;
  logMaxFiles?: number;
  /** Raw output files are truncated once this much has been copied (default 1 MiB). */
  rawLogTruncateBytes?: number;
  /** How often logs are copied and exits of adopted containers are checked (default 200 ms). */
  pollIntervalMs?: number;
  /** Force the unprivileged mode even as root (no cgroups, namespaces or user switching). */
  unprivileged?: boolean;
  /** Starts shims, namespace tools and execs run to their end (default: forks from this process). */
  launcher?: Launcher;
}

interface Live {
  copier?: LogCopier;
  exitWaiters: (() => void)[];
}

const START_TIMEOUT_MS = 10_000;

export class ProcessRuntime implements Runtime {
  readonly name = "process";
  readonly version = "process://1.0";
  private readonly store: StateStore;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly cgroups?: Cgroups;
  private readonly launcher: Launcher;
  private readonly privileged: boolean;
  private readonly sandboxes: Sandboxes;
  private readonly containers = new Map<string, ContainerRecord>();
  private readonly live = new Map<string, Live>();
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();
  private timer: unknown;
  private closed = false;

  constructor(private readonly options: ProcessRuntimeOptions) {
    this.log = options.log ?? createLogger("warn");
    this.clock = options.clock ?? realClock;
    this.launcher = options.launcher ?? new LocalLauncher();
    this.store = new StateStore(options.stateDir);
    const root = !options.unprivileged && process.platform === "linux" && process.getuid?.() === 0;
    const cgroups = new Cgroups(options.cgroupMount);
    this.privileged = root;
    if (root && cgroups.available()) this.cgroups = cgroups;
    if (!root) {
      this.log.warn("process runtime without root: no cgroup limits or OOM detection, no pod namespaces, no runAsUser, no volume mounts");
    } else if (!this.cgroups) {
      this.log.warn("process runtime: cgroup v1 hierarchies (memory, cpu, cpuacct, pids) not writable: limits are not enforced");
    }
    this.sandboxes = new Sandboxes({
      store: this.store,
      network: options.network,
      cgroups: this.cgroups,
      cgroupRoot: options.cgroupRoot ?? "kubelite",
      privileged: this.privileged,
      newId,
      launcher: this.launcher,
    });
    this.adopt();
    this.schedule();
  }

  // --- sandboxes ---------------------------------------------------------------------------

  runPodSandbox(config: SandboxConfig): Promise<string> {
    return this.sandboxes.run(config);
  }

  async stopPodSandbox(id: string): Promise<void> {
    const running = this.containersOf(id).filter((c) => c.state === "running");
    await Promise.all(running.map((c) => this.stopContainer(c.id, 0)));
    await this.sandboxes.stop(id);
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.stopPodSandbox(id);
    for (const c of this.containersOf(id)) await this.removeContainer(c.id);
    await this.sandboxes.remove(id);
  }

  async podSandboxStatus(id: string): Promise<SandboxStatus | undefined> {
    return this.sandboxes.status(id);
  }

  async listPodSandboxes(): Promise<SandboxStatus[]> {
    return this.sandboxes.list();
  }

  async portForward(sandboxId: string, port: number): Promise<Duplex> {
    const ip = this.sandboxes.get(sandboxId).ips[0];
    if (!ip) throw new Error(`sandbox ${sandboxId} has no IP`);
    return this.options.network.dial(ip, port);
  }

  async imageStatus(image: string): Promise<ImageInfo> {
    return resolveImage(this.options.images, image);
  }

  // --- containers --------------------------------------------------------------------------

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sandbox = this.sandboxes.get(sandboxId);
    if (sandbox.state !== "ready") throw new Error(`sandbox ${sandboxId} is not ready`);
    const id = newId();
    const context = { images: this.options.images, cgroups: this.cgroups, privileged: this.privileged, log: this.log, launcher: this.launcher };
    const record = await setUpContainer(context, sandbox, id, this.dir(sandboxId, id), config);
    this.store.writeContainer(record);
    this.containers.set(id, record);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const record = this.container(id);
    if (record.state !== "created") throw new Error(`container ${id} is ${record.state}, not created`);
    const dir = this.dir(record.sandboxId, id);
    const shim = await launchShim(this.launcher, dir);
    const live = this.liveOf(id);
    // The shim exits right after writing the exit file; the poll catches what this misses.
    void shim.exited.then(() => this.check(id));
    const pid = await waitForPidFile(dir, START_TIMEOUT_MS);
    if (pid === undefined) {
      this.finish(record, { exitCode: 128, reason: "ContainerCannotRun", message: "the container's shim did not start it", finishedAt: new Date().toISOString() });
      throw new Error(`container ${id} did not start: see ${path.join(dir, SHIM_FILES.shimLog)}`);
    }
    record.pid = pid;
    record.pidStartTime = processStartTime(pid);
    record.shimPid = shim.pid;
    record.shimStartTime = processStartTime(shim.pid);
    record.startedAt = fs.statSync(path.join(dir, SHIM_FILES.pid)).mtime.toISOString();
    record.state = "running";
    this.store.writeContainer(record);
    live.copier = this.newCopier(record);
    this.emit({ type: "ContainerStarted", containerId: id, sandboxId: record.sandboxId });
    this.check(id);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const record = this.container(id);
    if (record.state !== "running") return;
    if (timeoutSeconds > 0) {
      this.signal(record, "SIGTERM");
      if (await this.waitForExit(id, timeoutSeconds * 1000)) return;
    }
    this.signal(record, "SIGKILL");
    if (record.cgroup) this.killCgroup(record.cgroup);
    if (!(await this.waitForExit(id, START_TIMEOUT_MS))) throw new Error(`container ${id} did not exit after SIGKILL`);
  }

  async removeContainer(id: string): Promise<void> {
    const record = this.containers.get(id);
    if (!record) return;
    await this.stopContainer(id, 0);
    this.live.get(id)?.copier?.close();
    this.live.delete(id);
    if (record.cgroup) await this.cgroups?.remove(record.cgroup);
    removeIfEmpty(record.createdMountPoints);
    for (const file of [record.logPath, ...rotatedFiles(record.logPath)]) fs.rmSync(file, { force: true });
    this.store.removeContainer(record.sandboxId, id);
    this.containers.delete(id);
  }

  async containerStatus(id: string): Promise<ContainerStatus | undefined> {
    const record = this.containers.get(id);
    return record && toStatus(record);
  }

  async listContainers(filter?: { sandboxId?: string }): Promise<ContainerStatus[]> {
    return [...this.containers.values()].filter((c) => !filter?.sandboxId || c.sandboxId === filter.sandboxId).map(toStatus);
  }

  async updateContainerResources(id: string, resources: ContainerResources): Promise<void> {
    const record = this.container(id);
    if (record.cgroup && this.cgroups) this.cgroups.setResources(record.cgroup, resources);
    else this.log.warn("container resources recorded but not enforced: no cgroups", { container: id });
    record.resources = resources;
    this.store.writeContainer(record);
  }

  async containerStats(id: string): Promise<ContainerStats | undefined> {
    const record = this.containers.get(id);
    return record && statsOf(record, this.cgroups, new Date(this.clock.now()));
  }

  // --- exec and attach ---------------------------------------------------------------------

  async exec(id: string, options: ExecOptions): Promise<ExecSession> {
    return startExec(this.execTarget(id), options);
  }

  async execSync(id: string, command: string[], timeoutMs: number): Promise<ExecResult> {
    return execToEnd(this.launcher, this.execTarget(id), command, timeoutMs);
  }

  async attach(id: string, options: Omit<ExecOptions, "command">): Promise<ExecSession> {
    const record = this.runningContainer(id);
    const copier = this.live.get(id)?.copier;
    if (!copier) throw new Error(`container ${id} is not running`);
    const exited = new Promise<number>((resolve) => this.liveOf(id).exitWaiters.push(() => resolve(this.containers.get(id)?.exitCode ?? 0)));
    return attach({ record, dir: this.dir(record.sandboxId, id), copier, exited }, options);
  }

  private execTarget(id: string): ExecTarget {
    const record = this.runningContainer(id);
    return {
      pid: record.pid!,
      env: record.env,
      workingDir: record.workingDir,
      cgroupProcs: this.privileged && record.cgroup && this.cgroups ? this.cgroups.procsFiles(record.cgroup) : undefined,
      user: record.user,
    };
  }

  private runningContainer(id: string): ContainerRecord {
    const record = this.container(id);
    if (record.state !== "running" || record.pid === undefined || !isSameProcessAlive(record.pid, record.pidStartTime)) {
      throw new Error(`container ${id} is not running (state ${record.state})`);
    }
    return record;
  }

  // --- events and lifecycle ----------------------------------------------------------------

  onEvent(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clock.clearTimeout(this.timer);
    for (const live of this.live.values()) {
      live.copier?.pump();
      live.copier?.close();
    }
    this.live.clear();
    this.listeners.clear();
  }

  private emit(event: RuntimeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log.error("runtime event listener failed", { error });
      }
    }
  }

  /** Takes over what an earlier runtime instance left running. */
  private adopt(): void {
    const { sandboxes, containers } = this.store.load();
    this.sandboxes.adopt(sandboxes);
    for (const record of containers) {
      this.containers.set(record.id, record);
      const dir = this.dir(record.sandboxId, record.id);
      if (record.state === "created" && fs.existsSync(path.join(dir, SHIM_FILES.pid))) record.state = "running";
      if (record.state !== "running") continue;
      record.pid ??= readNumberFile(path.join(dir, SHIM_FILES.pid));
      this.liveOf(record.id).copier = this.newCopier(record);
      this.check(record.id);
    }
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = this.clock.setTimeout(() => {
      for (const record of this.containers.values()) if (record.state === "running") this.check(record.id);
      this.schedule();
    }, this.options.pollIntervalMs ?? 200);
  }

  /** Copies new output and notices the container's end. */
  private check(id: string): void {
    const record = this.containers.get(id);
    if (!record || record.state !== "running" || this.closed) return;
    try {
      this.live.get(id)?.copier?.pump();
      const termination = readTermination(record, this.dir(record.sandboxId, id), this.cgroups);
      if (termination) return this.finish(record, termination);
      const containerAlive = record.pid !== undefined && isSameProcessAlive(record.pid, record.pidStartTime);
      const shimAlive = record.shimPid !== undefined && isSameProcessAlive(record.shimPid, record.shimStartTime);
      if (!containerAlive && !shimAlive) this.finish(record, vanished(new Date(this.clock.now())));
    } catch (error) {
      this.log.error("checking container failed", { container: id, error });
    }
  }

  private finish(record: ContainerRecord, termination: Termination): void {
    const live = this.liveOf(record.id);
    live.copier?.drain();
    live.copier = undefined;
    Object.assign(record, { state: "exited", ...termination });
    this.store.writeContainer(record);
    if (record.cgroup) this.killCgroup(record.cgroup);
    this.emit({ type: "ContainerExited", containerId: record.id, sandboxId: record.sandboxId });
    for (const waiter of live.exitWaiters.splice(0)) waiter();
  }

  private signal(record: ContainerRecord, signal: NodeJS.Signals): void {
    if (record.pid === undefined || !isSameProcessAlive(record.pid, record.pidStartTime)) return;
    try {
      process.kill(-record.pid, signal);
    } catch {
      // No such group: gone (the exit is about to be recorded), or not made yet, when the signal
      // comes right after the start, before the shim's setsid has run; then the process itself.
      try {
        process.kill(record.pid, signal);
      } catch {
        // gone
      }
    }
  }

  /** Processes that left the container's process group still die with it, as in a pid namespace. */
  private killCgroup(group: CgroupPaths): void {
    this.cgroups?.killAll(group);
  }

  /**
   * Resolves true once the container has exited, false after timeoutMs. Real (ref'd) timers: a
   * caller awaiting a stop must keep the process alive, unlike the background poll.
   */
  private waitForExit(id: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.containers.get(id)?.state !== "running") return resolve(true);
      const poll = setInterval(() => this.check(id), this.options.pollIntervalMs ?? 200);
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (exited: boolean) => {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(exited);
      };
      this.liveOf(id).exitWaiters.push(() => done(true));
    });
  }

  private newCopier(record: ContainerRecord): LogCopier {
    return new LogCopier({
      dir: this.dir(record.sandboxId, record.id),
      logPath: record.logPath,
      rotation: { maxSizeBytes: this.options.logMaxSizeBytes ?? 10 * 1024 * 1024, maxFiles: this.options.logMaxFiles ?? 5 },
      truncateBytes: this.options.rawLogTruncateBytes ?? 1024 * 1024,
      now: () => this.clock.now(),
    });
  }

  private liveOf(id: string): Live {
    let live = this.live.get(id);
    if (!live) this.live.set(id, (live = { exitWaiters: [] }));
    return live;
  }

  private container(id: string): ContainerRecord {
    const record = this.containers.get(id);
    if (!record) throw new Error(`container ${id} not found`);
    return record;
  }

  private containersOf(sandboxId: string): ContainerRecord[] {
    return [...this.containers.values()].filter((c) => c.sandboxId === sandboxId);
  }

  private dir(sandboxId: string, containerId: string): string {
    return this.store.containerDir(sandboxId, containerId);
  }
}

function newId(): string {
  return randomBytes(16).toString("hex");
}
