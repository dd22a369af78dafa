// The interface between the node agent and whatever runs containers, modelled on the CRI
// (runtime.v1): pod sandboxes (a pod's network, hostname and cgroup), containers inside them,
// their status, exec, port-forward and stats. The agent never learns how a runtime does its work:
// the process runtime spawns host processes, a CRI runtime would call containerd.
//
// Runtimes keep their own state on disk, so an agent that restarts finds the sandboxes and
// containers still running (listPodSandboxes/listContainers) and adopts them.
import type { Duplex, Readable, Writable } from "node:stream";

/** Labels the agent puts on sandboxes and containers to find its pods again after a restart. */
export const POD_UID_LABEL = "io.kubernetes.pod.uid";
export const POD_NAME_LABEL = "io.kubernetes.pod.name";
export const POD_NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
export const CONTAINER_NAME_LABEL = "io.kubernetes.container.name";

/** The sandboxes a runtime holds for one pod (found by its uid label), oldest attempt first. */
export async function podSandboxes(runtime: Pick<Runtime, "listPodSandboxes">, podUid: string): Promise<SandboxStatus[]> {
  const all = await runtime.listPodSandboxes();
  return all.filter((s) => s.labels[POD_UID_LABEL] === podUid).sort((a, b) => a.attempt - b.attempt);
}

export interface PortMapping {
  containerPort: number;
  hostPort?: number;
  protocol: "TCP" | "UDP" | "SCTP";
}

export interface DnsConfig {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export interface SandboxConfig {
  podUid: string;
  podName: string;
  podNamespace: string;
  /** Increments each time the agent has to recreate the sandbox of the same pod. */
  attempt: number;
  hostname: string;
  /** The pod shares the node's network (spec.hostNetwork). */
  hostNetwork: boolean;
  dns?: DnsConfig;
  /** The pod's entries for its /etc/hosts: its FQDN when it has a subdomain, and spec.hostAliases. */
  hosts?: { fqdn?: string; aliases: { ip: string; hostnames: string[] }[] };
  portMappings: PortMapping[];
  /** Directory for this pod's container logs; the runtime writes each container's log under it. */
  logDirectory: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

export type SandboxState = "ready" | "notready";

export interface SandboxStatus {
  id: string;
  state: SandboxState;
  /** Pod IPs, first the primary; the node's address in host-network mode. */
  ips: string[];
  createdAt: Date;
  labels: Record<string, string>;
  attempt: number;
}

export interface Mount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

/** Linux resources of one container, in the units cgroups use. Absent means unlimited. */
export interface ContainerResources {
  /** CPU limit in millicores (cpu.cfs_quota_us / cpu.cfs_period_us). */
  cpuLimitMillis?: number;
  /** CPU request in millicores (cpu.shares). */
  cpuRequestMillis?: number;
  memoryLimitBytes?: number;
}

export interface ContainerConfig {
  name: string;
  /** Restart count of this container in its pod: 0 for the first run. */
  attempt: number;
  image: string;
  /** The pod spec's command and args; empty means "the image's". */
  command: string[];
  args: string[];
  env: { name: string; value: string }[];
  workingDir?: string;
  mounts: Mount[];
  tty: boolean;
  stdin: boolean;
  stdinOnce: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  resources: ContainerResources;
  /** Log file path relative to the sandbox's logDirectory: "<container>/<attempt>.log". */
  logPath: string;
  labels: Record<string, string>;
}

export type ContainerState = "created" | "running" | "exited" | "unknown";

export interface ContainerStatus {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  state: ContainerState;
  image: string;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  exitCode?: number;
  /** Upstream's terminated reasons: "Completed" (exit 0), "Error", "OOMKilled", "ContainerCannotRun". */
  reason?: string;
  message?: string;
  /** Absolute path of the container's log file (CRI log format). */
  logPath: string;
  labels: Record<string, string>;
  resources: ContainerResources;
}

/** The image a reference resolves to on this node: what runs when the pod gives no command. */
export interface ImageInfo {
  reference: string;
  command: string[];
  args: string[];
  env: { name: string; value: string }[];
  workingDir?: string;
}

/** An image the runtime cannot provide; the agent reports it as the container's waiting reason. */
export class ImageNotFoundError extends Error {
  constructor(readonly image: string, readonly reason: string, message: string) {
    super(message);
  }
}

/**
 * A container the runtime refuses to create, with upstream's reason: "ContainerCannotRun" (the
 * executable does not exist), "CreateContainerConfigError" (a config this runtime cannot honour),
 * "CreateContainerError" (anything else). The agent reports it as the container's waiting reason.
 */
export class CreateContainerError extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

export interface ExecOptions {
  command: string[];
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

export interface TerminalSize {
  width: number;
  height: number;
}

/** A running exec (or attach) session: its streams, a way to resize its terminal, and its end. */
export interface ExecSession {
  stdin?: Writable;
  stdout?: Readable;
  /** Absent with a tty: the terminal merges stderr into stdout. */
  stderr?: Readable;
  resize(size: TerminalSize): void;
  /** Resolves with the exit code (128+signal when killed) once the command has ended. */
  exited: Promise<number>;
  kill(): void;
}

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
}

export interface ContainerStats {
  containerId: string;
  timestamp: Date;
  /** Cumulative CPU time used, in nanoseconds. */
  cpuUsageNanoSeconds: number;
  memoryUsageBytes: number;
  memoryWorkingSetBytes: number;
}

export type RuntimeEvent =
  | { type: "ContainerStarted"; containerId: string; sandboxId: string }
  | { type: "ContainerExited"; containerId: string; sandboxId: string };

export interface Runtime {
  /** "process", "cri", ... */
  readonly name: string;
  /** For the Node's status.nodeInfo.containerRuntimeVersion: "process://1.0". */
  readonly version: string;

  runPodSandbox(config: SandboxConfig): Promise<string>;
  /** Stops every container of the sandbox (SIGKILL) and releases its network. Idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<SandboxStatus | undefined>;
  listPodSandboxes(): Promise<SandboxStatus[]>;

  /** Resolves an image reference or throws ImageNotFoundError. */
  imageStatus(image: string): Promise<ImageInfo>;

  createContainer(sandboxId: string, config: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after timeoutSeconds; resolves once the container has exited. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<ContainerStatus | undefined>;
  listContainers(filter?: { sandboxId?: string }): Promise<ContainerStatus[]>;
  /** In-place resize: new cgroup limits for a running container. */
  updateContainerResources(id: string, resources: ContainerResources): Promise<void>;

  /** Runs a command inside the container's namespaces, cgroup and user. */
  exec(id: string, options: ExecOptions): Promise<ExecSession>;
  /** Runs a command to completion (exec probes): output is capped, the command killed after timeoutMs. */
  execSync(id: string, command: string[], timeoutMs: number): Promise<ExecResult>;
  /** Attaches to the container's own stdin/stdout/stderr. */
  attach(id: string, options: Omit<ExecOptions, "command">): Promise<ExecSession>;
  /** A TCP connection to port inside the sandbox's network. */
  portForward(sandboxId: string, port: number): Promise<Duplex>;

  containerStats(id: string): Promise<ContainerStats | undefined>;

  /** Container lifecycle events (upstream's PLEG), so the agent reacts without polling. Returns an unsubscribe. */
  onEvent(listener: (event: RuntimeEvent) => void): () => void;
  close(): Promise<void>;
}
