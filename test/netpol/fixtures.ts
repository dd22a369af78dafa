// Small builders of the API objects NetworkPolicy semantics read, for the evaluator and compiler tests.
import type { KubeObject } from "../../src/api/resource.js";
import { ClusterSnapshot } from "../../src/netpol/cluster-snapshot.js";

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels } } };
}

export interface PodFixture {
  labels?: Record<string, string>;
  ip?: string;
  node?: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  hostNetwork?: boolean;
}

export function pod(ns: string, name: string, fixture: PodFixture = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { namespace: ns, name, labels: fixture.labels ?? {} },
    spec: { nodeName: fixture.node ?? "node-a", hostNetwork: fixture.hostNetwork, containers: [{ name: "c", ports: fixture.ports ?? [] }] },
    status: { phase: "Running", ...(fixture.ip ? { podIP: fixture.ip, podIPs: [{ ip: fixture.ip }] } : {}) },
  };
}

export function policy(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { namespace: ns, name, uid: `uid-${name}` }, spec };
}

export function snapshot(objects: KubeObject[]): ClusterSnapshot {
  return new ClusterSnapshot({
    namespaces: objects.filter((o) => o.kind === "Namespace"),
    pods: objects.filter((o) => o.kind === "Pod"),
    policies: objects.filter((o) => o.kind === "NetworkPolicy"),
  });
}
