// The VolumeBinding plugin on its own, over indexers holding claims, volumes and classes: pods
// without claims skip it; a missing claim or an unbound Immediate claim keeps the pod out; a bound
// volume's node affinity and a WaitForFirstConsumer claim's options (a free matching volume, a
// provisioner, the node already selected) decide each node, with upstream's reasons.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { Indexer, objectKey, type IndexFunc } from "../../src/client/indexer.js";
import type { Pod } from "../../src/scheduler/api-types.js";
import { CycleState } from "../../src/scheduler/cycle-state.js";
import { NodeInfo } from "../../src/scheduler/node-info.js";
import { PodInfo } from "../../src/scheduler/pod-info.js";
import { VolumeBinding, type VolumeCache } from "../../src/scheduler/plugins/volume-binding.js";
import type { PluginStatus } from "../../src/scheduler/status.js";
import { makeNode, makePod } from "./fixtures.js";

function cacheOf(objects: KubeObject[]): VolumeCache {
  const indexer = new Indexer();
  for (const obj of objects) indexer.upsert(objectKey(obj), obj);
  return {
    get: (key) => indexer.get(key),
    byIndex: (name, value) => indexer.byIndex(name, value),
    addIndexer: (name: string, fn: IndexFunc) => {
      if (!indexer.hasIndex(name)) indexer.addIndex(name, fn);
    },
    addEventHandler: () => () => undefined,
  };
}

const claim = (name: string, className: string, extra: Record<string, unknown> = {}, annotations: Record<string, string> = {}): KubeObject => ({
  metadata: { name, namespace: "default", uid: `uid-${name}`, annotations },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, storageClassName: className, ...extra },
});
const pinned = (name: string, node: string, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name },
  spec: {
    capacity: { storage: "1Gi" },
    accessModes: ["ReadWriteOnce"],
    storageClassName: "local",
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] }] } },
    ...extra,
  },
  status: { phase: "Available" },
});
const storageClass = (name: string, provisioner: string, mode = "WaitForFirstConsumer"): KubeObject => ({ metadata: { name }, provisioner, volumeBindingMode: mode });

const CLASSES = [storageClass("local", "kubernetes.io/no-provisioner"), storageClass("local-path", "kubelite.io/local-path"), storageClass("now", "kubelite.io/local-path", "Immediate")];

function nodeInfo(name: string): NodeInfo {
  const ni = new NodeInfo(name);
  ni.setNode(makeNode(name));
  return ni;
}

/** PreFilter, then Filter on nodes a and b: the reasons (or "fits") per node, or the PreFilter outcome. */
function run(claims: KubeObject[], volumes: KubeObject[], claimNames: string[]): string | Record<string, string> {
  const plugin = new VolumeBinding({ claims: cacheOf(claims), volumes: cacheOf(volumes), classes: cacheOf(CLASSES) }, undefined);
  const base = makePod("p");
  const podVolumes = claimNames.map((claimName) => ({ name: claimName, persistentVolumeClaim: { claimName } }));
  const pod = PodInfo.of({ ...base, spec: { ...base.spec, volumes: podVolumes } } as Pod);
  const state = new CycleState();
  const pre = plugin.preFilter(state, pod);
  if (pre !== null) return "code" in pre ? `${pre.code}: ${pre.message()}` : "narrowed";
  const verdict = (s: PluginStatus) => (s === null ? "fits" : `${s.code}: ${s.message()}`);
  return { a: verdict(plugin.filter(state, pod, nodeInfo("a"))), b: verdict(plugin.filter(state, pod, nodeInfo("b"))) };
}

describe("VolumeBinding", () => {
  it("skips pods without claims", () => {
    assert.equal(run([], [], []), "Skip: ");
  });

  it("keeps a pod whose claim is missing out, naming the claim", () => {
    assert.equal(run([], [], ["gone"]), 'UnschedulableAndUnresolvable: persistentvolumeclaim "gone" not found');
  });

  it("keeps a pod with an unbound Immediate claim out", () => {
    assert.equal(run([claim("c", "now")], [], ["c"]), "UnschedulableAndUnresolvable: pod has unbound immediate PersistentVolumeClaims");
  });

  it("sends a pod with a bound claim only where its volume is", () => {
    const bound = pinned("pv", "b", { claimRef: { namespace: "default", name: "c", uid: "uid-c" } });
    assert.deepEqual(run([claim("c", "local", { volumeName: "pv" })], [bound], ["c"]), { a: "UnschedulableAndUnresolvable: node(s) had volume node affinity conflict", b: "fits" });
  });

  it("finds a free matching volume per node for a WaitForFirstConsumer claim, or none", () => {
    assert.deepEqual(run([claim("c", "local")], [pinned("pv", "a")], ["c"]), { a: "fits", b: "UnschedulableAndUnresolvable: node(s) didn't find available persistent volumes to bind" });
  });

  it("lets any node provision a claim of a class with a provisioner", () => {
    assert.deepEqual(run([claim("c", "local-path")], [], ["c"]), { a: "fits", b: "fits" });
  });

  it("keeps a claim already given a node on that node", () => {
    const selected = claim("c", "local-path", {}, { "volume.kubernetes.io/selected-node": "b" });
    assert.deepEqual(run([selected], [], ["c"]), { a: "UnschedulableAndUnresolvable: node(s) didn't find available persistent volumes to bind", b: "fits" });
  });
});
