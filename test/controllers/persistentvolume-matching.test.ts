// Which volume a claim gets (findMatchingVolume), table-driven: class, access modes (fewest modes
// first), the smallest that fits, the selector, volume mode, phase, pre-binding, node affinity and
// WaitForFirstConsumer without a node.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findMatchingVolume, type MatchOptions } from "../../src/controllers/persistentvolume/volume-matching.js";
import type { PersistentVolume, PersistentVolumeClaim } from "../../src/controllers/persistentvolume/volume-objects.js";

function volume(name: string, size: string, modes: string[], extra: Partial<PersistentVolume["spec"]> = {}, labels: Record<string, string> = {}, phase = "Available"): PersistentVolume {
  return { metadata: { name, labels }, spec: { capacity: { storage: size }, accessModes: modes, storageClassName: "manual", hostPath: { path: `/v/${name}` }, ...extra }, status: { phase } };
}

function claim(size: string, modes: string[], extra: Partial<PersistentVolumeClaim["spec"]> = {}): PersistentVolumeClaim {
  return { metadata: { name: "data", namespace: "default", uid: "claim-uid" }, spec: { accessModes: modes, resources: { requests: { storage: size } }, storageClassName: "manual", ...extra } };
}

const onNode = (name: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [name] }] }] } });
const node = (name: string) => ({ name, labels: { "kubernetes.io/hostname": name } });

interface Case {
  name: string;
  claim: PersistentVolumeClaim;
  volumes: PersistentVolume[];
  options?: MatchOptions;
  want: string | undefined;
}

const RWO = ["ReadWriteOnce"];
const cases: Case[] = [
  { name: "the smallest volume that holds the request", claim: claim("3Gi", RWO), volumes: [volume("big", "20Gi", RWO), volume("small", "1Gi", RWO), volume("right", "5Gi", RWO)], want: "right" },
  { name: "no volume when none is big enough", claim: claim("30Gi", RWO), volumes: [volume("big", "20Gi", RWO)], want: undefined },
  { name: "volumes with fewer access modes first", claim: claim("1Gi", RWO), volumes: [volume("both", "1Gi", ["ReadWriteOnce", "ReadOnlyMany"]), volume("one", "10Gi", RWO)], want: "one" },
  { name: "access modes must all be offered", claim: claim("1Gi", ["ReadWriteMany"]), volumes: [volume("rwo", "1Gi", RWO), volume("rwx", "1Gi", ["ReadWriteMany"])], want: "rwx" },
  { name: "only volumes of the claim's class", claim: claim("1Gi", RWO, { storageClassName: "fast" }), volumes: [volume("manual", "1Gi", RWO)], want: undefined },
  { name: "the claim's selector", claim: claim("1Gi", RWO, { selector: { matchLabels: { tier: "gold" } } }), volumes: [volume("plain", "1Gi", RWO), volume("gold", "2Gi", RWO, {}, { tier: "gold" })], want: "gold" },
  { name: "the same volume mode", claim: claim("1Gi", RWO, { volumeMode: "Block" }), volumes: [volume("fs", "1Gi", RWO), volume("block", "1Gi", RWO, { volumeMode: "Block" })], want: "block" },
  { name: "only Available volumes", claim: claim("1Gi", RWO), volumes: [volume("released", "1Gi", RWO, {}, {}, "Released")], want: undefined },
  { name: "not volumes bound to another claim", claim: claim("1Gi", RWO), volumes: [volume("other", "1Gi", RWO, { claimRef: { namespace: "default", name: "other", uid: "x" } })], want: undefined },
  {
    name: "a volume pre-bound to the claim wins over a better fit",
    claim: claim("1Gi", RWO),
    volumes: [volume("fits", "1Gi", RWO), volume("mine", "8Gi", RWO, { claimRef: { namespace: "default", name: "data" } })],
    want: "mine",
  },
  { name: "a pre-bound volume that is too small does not match", claim: claim("10Gi", RWO), volumes: [volume("mine", "1Gi", RWO, { claimRef: { namespace: "default", name: "data" } })], want: undefined },
  { name: "node affinity admits the node", claim: claim("1Gi", RWO), volumes: [volume("a", "1Gi", RWO, { nodeAffinity: onNode("a") }), volume("b", "1Gi", RWO, { nodeAffinity: onNode("b") })], options: { node: node("b") }, want: "b" },
  { name: "WaitForFirstConsumer without a node matches no free volume", claim: claim("1Gi", RWO), volumes: [volume("free", "1Gi", RWO)], options: { delayBinding: true }, want: undefined },
  { name: "WaitForFirstConsumer with a node matches", claim: claim("1Gi", RWO), volumes: [volume("free", "1Gi", RWO)], options: { delayBinding: true, node: node("a") }, want: "free" },
  { name: "volumes another pod is taking are excluded", claim: claim("1Gi", RWO), volumes: [volume("taken", "1Gi", RWO), volume("next", "2Gi", RWO)], options: { excluded: new Set(["taken"]) }, want: "next" },
];

describe("findMatchingVolume", () => {
  for (const c of cases) {
    it(`chooses ${c.name}`, () => {
      assert.equal(findMatchingVolume(c.claim, c.volumes, c.options)?.metadata?.name, c.want);
    });
  }
});
