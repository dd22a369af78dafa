// Upstream's ControllerRefManager (pkg/controller/controller_ref_manager.go): a controller claims
// the objects its selector matches. For each object:
// - controlled by another controller: ignored;
// - controlled by us and matching: claimed;
// - controlled by us but no longer matching: released (our ownerReference removed), unless we are
//   being deleted;
// - an orphan that matches, in our namespace and not being deleted: adopted (our controller
//   ownerReference added), unless we are being deleted. Before the first adoption `canAdopt` runs
//   once (upstream RecheckDeletionTimestamp: an uncached read of the owner).
// Adoption and release are strategic merge patches of metadata.ownerReferences carrying the
// object's uid, as upstream sends them. Errors are collected; the claim throws them together after
// trying every object. Objects are never mutated: the claimed list holds the cached objects.
import { StatusError } from "../api/errors.js";
import type { LabelSelector } from "../api/label-selector.js";
import type { KubeObject, OwnerReference } from "../api/resource.js";
import type { Client, ResourceRef } from "../client/client.js";
import { controllerRefOf } from "./controller-ref.js";

export interface ClaimOptions {
  client: Client;
  /** The claimed objects' resource (pods, replicasets). */
  resource: ResourceRef;
  /** Their kind, for messages ("Pod", "ReplicaSet"). */
  kind: string;
  /** The claiming controller object. */
  owner: KubeObject;
  /** The controller ownerReference to put on adopted objects. */
  controllerRef: OwnerReference;
  selector: LabelSelector;
  /** Besides the selector, what an object must satisfy to be claimed (upstream ClaimPods' filters). */
  filter?: (obj: KubeObject) => boolean;
  /** Throws when the owner must not adopt (it was deleted meanwhile); run at most once. */
  canAdopt(): Promise<void>;
}

/** ClaimPods / ClaimReplicaSets: the objects this owner controls after adoption and release. */
export async function claimObjects<T extends KubeObject>(objects: readonly T[], options: ClaimOptions): Promise<T[]> {
  const claimed: T[] = [];
  const errors: Error[] = [];
  const canAdopt = once(options.canAdopt);
  for (const obj of objects) {
    try {
      if (await claimObject(obj, options, canAdopt)) claimed.push(obj);
    } catch (err) {
      errors.push(err instanceof Error ? err : new Error(String(err)));
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new Error(`[${errors.map((e) => e.message).join(", ")}]`);
  return claimed;
}

async function claimObject(obj: KubeObject, options: ClaimOptions, canAdopt: () => Promise<void>): Promise<boolean> {
  const ownerMeta = options.owner.metadata ?? {};
  const ref = controllerRefOf(obj);
  const matches = options.selector.matches(obj.metadata?.labels) && (options.filter?.(obj) ?? true);
  if (ref) {
    if (ref.uid !== ownerMeta.uid) return false;
    if (matches) return true;
    if (ownerMeta.deletionTimestamp) return false;
    await ignoreGone(releaseObject(obj, options));
    return false;
  }
  if (ownerMeta.deletionTimestamp || !matches || obj.metadata?.deletionTimestamp) return false;
  if (ownerMeta.namespace && ownerMeta.namespace !== obj.metadata?.namespace) return false;
  return ignoreGone(adoptObject(obj, options, canAdopt));
}

async function adoptObject(obj: KubeObject, options: ClaimOptions, canAdopt: () => Promise<void>): Promise<boolean> {
  const { name, namespace, uid } = obj.metadata ?? {};
  try {
    await canAdopt();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`can't adopt ${options.kind} ${namespace}/${name} (${uid}): ${why}`);
  }
  const patch = { metadata: { ownerReferences: [options.controllerRef], uid } };
  await options.client.patch(options.resource, namespace, name ?? "", "strategic", patch);
  return true;
}

async function releaseObject(obj: KubeObject, options: ClaimOptions): Promise<boolean> {
  const { name, namespace, uid } = obj.metadata ?? {};
  const patch = { metadata: { ownerReferences: [{ $patch: "delete", uid: options.owner.metadata?.uid }], uid } };
  try {
    await options.client.patch(options.resource, namespace, name ?? "", "strategic", patch);
  } catch (err) {
    // Upstream: an object that no longer has owner references is invalid to patch this way; ignore.
    if (err instanceof StatusError && err.code === 422) return false;
    throw err;
  }
  return false;
}

/** An object that is gone cannot be claimed: false instead of the 404. */
async function ignoreGone(result: Promise<boolean>): Promise<boolean> {
  try {
    return await result;
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return false;
    throw err;
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}

/** RecheckDeletionTimestamp: a fresh read of the owner; throws if it is gone, replaced or being deleted. */
export function recheckDeletionTimestamp(client: Client, resource: ResourceRef, owner: KubeObject, kind: string): () => Promise<void> {
  return async () => {
    const { namespace, name, uid } = owner.metadata ?? {};
    const fresh = await client.get(resource, namespace, name ?? "");
    if (fresh.metadata?.uid !== uid) throw new Error(`original ${kind} ${namespace}/${name} is gone: got uid ${fresh.metadata?.uid}, wanted ${uid}`);
    if (fresh.metadata?.deletionTimestamp) throw new Error(`${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
}
