// A DaemonSet's history as ControllerRevisions (upstream update.go): constructHistory splits the
// revisions the DaemonSet controls into the current one (whose data equals the DaemonSet's template
// patch) and the old ones, creates the current one when missing (snapshot, named
// "<ds>-<hash of the template and collisionCount>", labelled controller-revision-hash=<hash>) and
// raises its revision number above every old one (so `kubectl rollout undo` makes the restored
// template the newest), dropping duplicates after relabelling their pods; cleanupHistory deletes
// the oldest revisions beyond revisionHistoryLimit that no live pod still uses. A name collision
// with a different template bumps status.collisionCount and fails the sync, which retries with the
// next hash. Every write is compare-and-swap or a create.
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/resource.js";
import { APPS_V1, CORE_V1, type Client } from "../../client/client.js";
import { canonicalJson } from "../canonical-json.js";
import { newControllerRef } from "../controller-ref.js";
import { computeHash } from "../pod-template-hash.js";
import { ControllerRevisionHashLabelKey, DS_API_VERSION, DS_KIND, type ControllerRevision, type DaemonPod, type DaemonSet } from "./objects.js";

const CONTROLLER_REVISIONS = APPS_V1("controllerrevisions");
const DAEMONSETS = APPS_V1("daemonsets");
const PODS = CORE_V1("pods");

export interface History {
  cur: ControllerRevision;
  old: ControllerRevision[];
}

/** getPatch: the strategic merge patch that restores the DaemonSet's template. */
export function getPatch(ds: DaemonSet): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(ds.spec.template ?? {}), $patch: "replace" } } };
}

/** Match: the revision's data is the DaemonSet's current template patch. */
export function match(ds: DaemonSet, history: ControllerRevision): boolean {
  return canonicalJson(getPatch(ds)) === canonicalJson(history.data);
}

/** constructHistory over the revisions the DaemonSet controls (already claimed). */
export async function constructHistory(client: Client, ds: DaemonSet, histories: readonly ControllerRevision[], pods: () => Promise<DaemonPod[]>): Promise<History> {
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (const found of histories) {
    const history = await ensureHashLabel(client, found);
    (match(ds, history) ? current : old).push(history);
  }
  const currRevision = maxRevision(old) + 1;
  if (current.length === 0) return { cur: await snapshot(client, ds, currRevision), old };
  let cur = await dedupCurHistories(client, current, pods);
  if ((cur.revision ?? 0) < currRevision) {
    cur = (await client.update(CONTROLLER_REVISIONS, cur.metadata.namespace, { ...structuredClone(cur), revision: currRevision })) as ControllerRevision;
  }
  return { cur, old };
}

/** Revisions made before the label existed get it, valued with their name (no hash to recompute). */
async function ensureHashLabel(client: Client, history: ControllerRevision): Promise<ControllerRevision> {
  if (history.metadata.labels?.[ControllerRevisionHashLabelKey] !== undefined) return history;
  const copy = structuredClone(history);
  copy.metadata.labels = { ...copy.metadata.labels, [ControllerRevisionHashLabelKey]: copy.metadata.name ?? "" };
  return (await client.update(CONTROLLER_REVISIONS, copy.metadata.namespace, copy)) as ControllerRevision;
}

export function maxRevision(histories: readonly ControllerRevision[]): number {
  return histories.reduce((max, h) => Math.max(max, h.revision ?? 0), 0);
}

/** dedupCurHistories: keeps the highest revision, relabels pods of the others to it, deletes the others. */
async function dedupCurHistories(client: Client, current: readonly ControllerRevision[], pods: () => Promise<DaemonPod[]>): Promise<ControllerRevision> {
  const [first] = current;
  if (current.length === 1 && first) return first;
  const keep = current.reduce((best, h) => ((h.revision ?? 0) >= (best.revision ?? 0) ? h : best));
  const keepHash = keep.metadata.labels?.[ControllerRevisionHashLabelKey] ?? "";
  for (const pod of await pods()) {
    if (pod.metadata.labels?.[ControllerRevisionHashLabelKey] === keepHash) continue;
    await client.patch(PODS, pod.metadata.namespace, pod.metadata.name ?? "", "merge", { metadata: { labels: { [ControllerRevisionHashLabelKey]: keepHash } } });
  }
  for (const duplicate of current) {
    if (duplicate.metadata.name === keep.metadata.name) continue;
    await client.delete(CONTROLLER_REVISIONS, duplicate.metadata.namespace, duplicate.metadata.name ?? "");
  }
  return keep;
}

/** snapshot: creates the revision of the current template. */
async function snapshot(client: Client, ds: DaemonSet, revision: number): Promise<ControllerRevision> {
  const hash = computeHash(ds.spec.template ?? {}, ds.status?.collisionCount);
  const name = `${ds.metadata.name ?? ""}-${hash}`;
  const history: KubeObject = {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name,
      namespace: ds.metadata.namespace,
      labels: { ...ds.spec.template?.metadata?.labels, [ControllerRevisionHashLabelKey]: hash },
      ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(ds, DS_API_VERSION, DS_KIND)],
    },
    data: getPatch(ds),
    revision,
  };
  try {
    return (await client.create(CONTROLLER_REVISIONS, ds.metadata.namespace, history)) as ControllerRevision;
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409 && err.reason === "AlreadyExists")) throw err;
    return resolveNameCollision(client, ds, name, err);
  }
}

/** The name exists: ours already (a lagging cache), or a different template: bump collisionCount and fail. */
async function resolveNameCollision(client: Client, ds: DaemonSet, name: string, err: StatusError): Promise<ControllerRevision> {
  const existing = (await client.get(CONTROLLER_REVISIONS, ds.metadata.namespace, name)) as ControllerRevision;
  if (match(ds, existing)) return existing;
  const fresh = (await client.get(DAEMONSETS, ds.metadata.namespace, ds.metadata.name ?? "")) as DaemonSet;
  const stale = (fresh.status?.collisionCount ?? undefined) !== (ds.status?.collisionCount ?? undefined);
  if (stale) throw new Error(`found a stale collision count (${ds.status?.collisionCount}, expected ${fresh.status?.collisionCount}) of DaemonSet "${ds.metadata.name}" while processing; will retry until it is updated`);
  const status = { ...fresh.status, collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
  await client.update(DAEMONSETS, fresh.metadata.namespace, { ...fresh, status }, { subresource: "status" });
  throw err;
}

/** cleanupHistory: deletes old revisions beyond revisionHistoryLimit, oldest first, skipping live ones. */
export async function cleanupHistory(client: Client, ds: DaemonSet, old: readonly ControllerRevision[], livePods: readonly DaemonPod[]): Promise<void> {
  let toKill = old.length - (ds.spec.revisionHistoryLimit ?? 10);
  if (toKill <= 0) return;
  const liveHashes = new Set(livePods.map((p) => p.metadata.labels?.[ControllerRevisionHashLabelKey] ?? "").filter((h) => h !== ""));
  const oldestFirst = [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  for (const history of oldestFirst) {
    if (toKill <= 0) break;
    if (liveHashes.has(history.metadata.labels?.[ControllerRevisionHashLabelKey] ?? "")) continue;
    await client.delete(CONTROLLER_REVISIONS, history.metadata.namespace, history.metadata.name ?? "");
    toKill--;
  }
}
