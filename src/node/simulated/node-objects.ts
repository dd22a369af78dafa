// The API objects of a simulated node (kwok-style): its Node, with capacity, conditions and
// addresses as a kubelet reports them, and its Lease in kube-node-lease. Addresses are
// benchmarking-range placeholders: nothing is ever sent to them.
import type { KubeObject } from "../../api/resource.js";
import { rfc3339 } from "../../api/meta-time.js";
import { KUBELET_VERSION } from "../node-lease.js";
import { nodeConditions } from "../node-status.js";
import { SIMULATED_ANNOTATION } from "../../api/handlers/node-connection.js";


export interface SimulatedNodeSpec {
  name: string;
  /** Capacity as quantities: cpu, memory, pods, and any extended resources. */
  capacity: Record<string, string>;
  labels?: Record<string, string>;
  /** Index of the node, used for its placeholder address and pod CIDR. */
  index: number;
}

/** The node's placeholder InternalIP, from the benchmarking range 198.18.0.0/15 (RFC 2544): never routed, never contacted. */
export function simulatedNodeIP(index: number): string {
  const n = index + 1;
  return `198.${18 + Math.floor(n / 65536)}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

export function nodeObject(spec: SimulatedNodeSpec, now: Date): KubeObject {
  const time = rfc3339(now);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: spec.name,
      labels: {
        "kubernetes.io/hostname": spec.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "kubelite-simulated",
        "type": "kubelite-simulated",
        ...spec.labels,
      },
      annotations: { "node.alpha.kubernetes.io/ttl": "0", [SIMULATED_ANNOTATION]: "true" },
    },
    spec: { podCIDR: `10.42.${spec.index % 256}.0/24`, podCIDRs: [`10.42.${spec.index % 256}.0/24`] },
    status: {
      capacity: spec.capacity,
      allocatable: spec.capacity,
      conditions: nodeConditions({ memory: false, disk: false, pid: false }, undefined, time),
      addresses: [
        { type: "InternalIP", address: simulatedNodeIP(spec.index) },
        { type: "Hostname", address: spec.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: "",
        systemUUID: "",
        bootID: "",
        kernelVersion: "simulated",
        osImage: "kubelite simulated node",
        containerRuntimeVersion: "simulated://1.0",
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: "",
        operatingSystem: "linux",
        architecture: "amd64",
      },
    },
  };
}

/** Parses `cpu=4,memory=16Gi,pods=110` (the --simulated-node-capacity flag). */
export function parseCapacity(text: string): Record<string, string> {
  const capacity: Record<string, string> = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split("=");
    if (!name || !value) throw new Error(`capacity entries are name=quantity, got ${JSON.stringify(part)}`);
    capacity[name] = value;
  }
  return capacity;
}
