// Small builders for scheduler tests: nodes and pods as the API would store them, and a scheduler
// over an in-memory cache with the default profile and a deterministic random source.
import type { Affinity, Container, Node, Pod, PodSpec, Taint, Toleration, TopologySpreadConstraint } from "../../src/scheduler/api-types.js";
import { Cache } from "../../src/scheduler/cache.js";
import type { Profile } from "../../src/scheduler/framework.js";
import { Nominator } from "../../src/scheduler/nominator.js";
import { PodInfo } from "../../src/scheduler/pod-info.js";
import { Status } from "../../src/scheduler/status.js";
import { defaultProfile, inTreeRegistry } from "../../src/scheduler/plugins/index.js";
import { Framework } from "../../src/scheduler/framework-runtime.js";
import { Scheduler } from "../../src/scheduler/schedule-one.js";

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...o.labels } },
    spec: { unschedulable: o.unschedulable, taints: o.taints },
    status: { allocatable: { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: o.pods ?? 110, ...o.extra } },
  };
}

export interface PodOptions {
  namespace?: string;
  labels?: Record<string, string>;
  cpu?: string;
  memory?: string;
  nodeName?: string;
  priority?: number;
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  hostPorts?: number[];
  containers?: Container[];
  spec?: Partial<PodSpec>;
}

let uid = 0;

export function makePod(name: string, o: PodOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests["cpu"] = o.cpu;
  if (o.memory) requests["memory"] = o.memory;
  const container: Container = { name: "c", resources: { requests }, ports: (o.hostPorts ?? []).map((p) => ({ containerPort: p, hostPort: p })) };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: o.namespace ?? "default", uid: `uid-${name}-${++uid}`, labels: o.labels ?? {} },
    spec: {
      containers: o.containers ?? [container],
      nodeName: o.nodeName,
      priority: o.priority,
      tolerations: o.tolerations,
      nodeSelector: o.nodeSelector,
      affinity: o.affinity,
      topologySpreadConstraints: o.topologySpreadConstraints,
      ...o.spec,
    },
  };
}

/** A seeded random source in [0, 1) (mulberry32). */
export function seededRandom(seed = 1): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TestCluster {
  cache: Cache;
  framework: Framework;
  scheduler: Scheduler;
  nominator: Nominator;
}

export function newCluster(nodes: Node[], pods: Pod[] = [], o: { profile?: Profile; random?: () => number; bindPod?: (pod: Pod, node: string) => Promise<void> } = {}): TestCluster {
  const cache = new Cache();
  for (const n of nodes) cache.addNode(n);
  for (const p of pods) cache.addPod(p);
  const nominator = new Nominator();
  const framework = new Framework({
    profile: o.profile ?? defaultProfile(),
    registry: inTreeRegistry(),
    snapshot: cache,
    random: o.random ?? seededRandom(),
    nominator,
    bindPod: o.bindPod ?? (async () => {}),
  });
  return { cache, framework, nominator, scheduler: new Scheduler({ framework, cache }) };
}

/** Schedules pod; returns the chosen node, or throws with the failure message. */
export function scheduleOne(c: TestCluster, pod: Pod): string {
  const out = c.scheduler.schedulingCycle(pod);
  if (out.kind === "scheduled") return out.result.suggestedHost;
  throw out.error;
}

/** A profile with just these plugins (weights 1). */
export function profileOf(...names: string[]): Profile {
  return { schedulerName: "test", plugins: names.map((name) => ({ name })) };
}

/** "" when the node fits, else "<Code>: <message>", per node, after PreFilter (as a cycle runs them). */
export function filterAll(c: TestCluster, pod: Pod): Record<string, string> {
  const pi = PodInfo.of(pod);
  const state = c.framework.newCycleState();
  const nodes = c.cache.nodeInfoList();
  const pre = c.framework.runPreFilterPlugins(state, pi, nodes);
  const out: Record<string, string> = {};
  for (const ni of nodes) {
    const s = pre.status ?? (pre.result && !pre.result.nodeNames.has(ni.name) ? Status.unresolvable("(not in PreFilterResult)") : c.framework.runFilterPlugins(state, pi, ni));
    out[ni.name] = s === null || s.isSuccess() ? "" : `${s.code}: ${s.message()}`;
  }
  return out;
}

/** Normalized, weighted scores of every node (PreScore and Score as a cycle runs them). */
export function scoreAll(c: TestCluster, pod: Pod, nodeNames?: string[]): Record<string, number> {
  const pi = PodInfo.of(pod);
  const state = c.framework.newCycleState();
  const nodes = c.cache.nodeInfoList().filter((n) => !nodeNames || nodeNames.includes(n.name));
  c.framework.runPreFilterPlugins(state, pi, c.cache.nodeInfoList());
  const pre = c.framework.runPreScorePlugins(state, pi, nodes);
  if (pre) throw new Error(pre.message());
  const totals = c.framework.runScorePlugins(state, pi, nodes);
  return Object.fromEntries(nodes.map((n, i) => [n.name, totals[i] as number]));
}
