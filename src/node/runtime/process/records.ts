// The process runtime's on-disk records: one JSON document per sandbox and per container, the
// only state a new runtime instance needs to adopt what an earlier agent process started.
import type { CgroupPaths } from "./cgroups.js";
import type { PodFiles } from "./pod-files.js";
import type { ContainerConfig, ContainerResources, ContainerState, SandboxConfig, SandboxState } from "../runtime.js";

export interface SandboxRecord {
  id: string;
  config: SandboxConfig;
  state: SandboxState;
  createdAt: string;
  ips: string[];
  /** The pod's network namespace (isolated mode), joined by every container. */
  netnsPath?: string;
  /** A bind-mounted UTS namespace holding the pod's hostname (root only). */
  utsPath?: string;
  /** Pod-level cgroup (root only). */
  cgroup?: CgroupPaths;
  /** The pod's generated resolv.conf and hosts file, mounted into its containers (root only). */
  files?: PodFiles;
}

export interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  state: ContainerState;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  reason?: string;
  message?: string;
  /** The resolved process: what actually runs after the image rules were applied. */
  argv: string[];
  env: { name: string; value: string }[];
  workingDir: string;
  /** Absolute path of the CRI-format log. */
  logPath: string;
  /** The user the container (and every exec in it) runs as (root only). */
  user?: { uid: number; gid: number };
  /** Container-level cgroup, a child of the pod's (root only). */
  cgroup?: CgroupPaths;
  resources: ContainerResources;
  /** Mount points this runtime created on the host and removes again when empty. */
  createdMountPoints: string[];
  /** The container's process (also its process group) and its start time in clock ticks. */
  pid?: number;
  pidStartTime?: number;
  /** The monitoring shim, to tell "exiting" from "vanished". */
  shimPid?: number;
  shimStartTime?: number;
}
