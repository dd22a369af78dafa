// A real node's Node object, as the kubelet registers and updates it: capacity and allocatable
// from the host (or from flags), addresses, nodeInfo, and the conditions it judges itself by:
// MemoryPressure (under 100 MiB available), DiskPressure (under 10% free where the data lives),
// PIDPressure (over 90% of pid_max in use) and Ready (the runtime and pod network are up).
import { readFileSync, statfsSync, readdirSync } from "node:fs";
import os from "node:os";
import type { KubeObject } from "../api/resource.js";
import { rfc3339 } from "../api/meta-time.js";
import { KUBELET_VERSION } from "./node-lease.js";
import { AGENT_ENDPOINT_ANNOTATION } from "../api/handlers/node-connection.js";
import { LOCAL_PATH_ROOT_ANNOTATION } from "../controllers/persistentvolume/volume-objects.js";


export interface NodeFacts {
  name: string;
  capacity: Record<string, string>;
  labels: Record<string, string>;
  address: string;
  agentPort: number;
  agentEndpoint: string;
  runtimeVersion: string;
  /** Where the local-path provisioner puts this node's volumes (DATA_DIR/volumes), announced on the Node. */
  localPathRoot?: string;
  /** Why the node is not ready yet (network not set up); undefined when ready. */
  notReadyReason?: string;
}

export interface HostPressure {
  memory: boolean;
  disk: boolean;
  pid: boolean;
}

/** The host's capacity: its CPUs, memory, the data directory's filesystem, and 110 pods. */
export function hostCapacity(dataDir: string): Record<string, string> {
  const fs = statfsSync(dataDir);
  return {
    cpu: String(os.cpus().length),
    memory: `${Math.floor(os.totalmem() / 1024)}Ki`,
    "ephemeral-storage": `${Math.floor((fs.blocks * fs.bsize) / 1024)}Ki`,
    pods: "110",
  };
}

export function hostPressure(dataDir: string): HostPressure {
  const fs = statfsSync(dataDir);
  return {
    memory: availableMemoryBytes() < 100 * 1024 * 1024,
    disk: fs.bavail / fs.blocks < 0.1,
    pid: pidUsage() > 0.9,
  };
}

export function nodeObject(facts: NodeFacts, pressure: HostPressure, now: Date): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: facts.name,
      labels: {
        "kubernetes.io/hostname": facts.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": goArch(),
        ...facts.labels,
      },
      annotations: {
        "node.alpha.kubernetes.io/ttl": "0",
        [AGENT_ENDPOINT_ANNOTATION]: facts.agentEndpoint,
        ...(facts.localPathRoot ? { [LOCAL_PATH_ROOT_ANNOTATION]: facts.localPathRoot } : {}),
      },
    },
    spec: {},
    status: nodeStatus(facts, pressure, now),
  };
}

/** The conditions a kubelet reports, with upstream's reasons and messages. */
export function nodeConditions(pressure: HostPressure, notReadyReason: string | undefined, time: string): Record<string, unknown>[] {
  const condition = (type: string, status: boolean, reason: string, message: string) => ({ type, status: status ? "True" : "False", lastHeartbeatTime: time, lastTransitionTime: time, reason, message });
  return [
    condition("MemoryPressure", pressure.memory, pressure.memory ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory", pressure.memory ? "kubelet has insufficient memory available" : "kubelet has sufficient memory available"),
    condition("DiskPressure", pressure.disk, pressure.disk ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure", pressure.disk ? "kubelet has disk pressure" : "kubelet has no disk pressure"),
    condition("PIDPressure", pressure.pid, pressure.pid ? "KubeletHasInsufficientPID" : "KubeletHasSufficientPID", pressure.pid ? "kubelet has insufficient PID available" : "kubelet has sufficient PID available"),
    notReadyReason ? condition("Ready", false, "KubeletNotReady", notReadyReason) : condition("Ready", true, "KubeletReady", "kubelet is posting ready status"),
  ];
}

export function nodeStatus(facts: NodeFacts, pressure: HostPressure, now: Date): Record<string, unknown> {
  return {
    capacity: facts.capacity,
    allocatable: facts.capacity,
    conditions: nodeConditions(pressure, facts.notReadyReason, rfc3339(now)),
    addresses: [
      { type: "InternalIP", address: facts.address },
      { type: "Hostname", address: facts.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: facts.agentPort } },
    nodeInfo: {
      machineID: readTrimmed("/etc/machine-id"),
      systemUUID: readTrimmed("/sys/class/dmi/id/product_uuid"),
      bootID: readTrimmed("/proc/sys/kernel/random/boot_id"),
      kernelVersion: os.release(),
      osImage: osImage(),
      containerRuntimeVersion: facts.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: "",
      operatingSystem: "linux",
      architecture: goArch(),
    },
  };
}

/** Conditions other than their times: whether a status post is due. */
export function conditionsSignature(status: Record<string, unknown> | undefined): string {
  const conditions = (status?.conditions as { type: string; status: string; reason?: string }[] | undefined) ?? [];
  return conditions.map((c) => `${c.type}=${c.status}/${c.reason ?? ""}`).sort().join(",");
}

function availableMemoryBytes(): number {
  const match = /MemAvailable:\s+(\d+) kB/.exec(readTrimmed("/proc/meminfo"));
  return match ? Number(match[1]) * 1024 : os.freemem();
}

function pidUsage(): number {
  const max = Number(readTrimmed("/proc/sys/kernel/pid_max")) || 32768;
  try {
    return readdirSync("/proc").filter((e) => /^\d+$/.test(e)).length / max;
  } catch {
    return 0;
  }
}

function osImage(): string {
  const match = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readTrimmed("/etc/os-release"));
  return match?.[1] ?? os.type();
}

function goArch(): string {
  return { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386" }[process.arch as string] ?? process.arch;
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}
