// A StatefulSet's history as ControllerRevisions (upstream stateful_set_control.go and
// pkg/controller/history): each revision holds the strategic merge patch that restores the pod
// template ({spec: {template: {..., $patch: replace}}}), is named `<set>-<hash of the patch and
// collisionCount>`, labelled with the template's labels and controller-revision-hash=<hash>, and
// carries the set's annotations (kubernetes.io/change-cause shows in `kubectl rollout history`).
// getStatefulSetRevisions finds the update revision (the last one if it equals the template, an
// older equal one raised to the next number when the template went back to it, as after `kubectl
// rollout undo`, or a new one) and the current revision (status.currentRevision, else the update
// revision). A name taken by a different template bumps collisionCount and tries the next hash.
// truncateHistory deletes the oldest revisions no pod uses beyond revisionHistoryLimit.
import { StatusError } from "../../api/errors.js";
import { APPS_V1, type Client } from "../../client/client.js";
import { canonicalJson } from "../canonical-json.js";
import { newControllerRef } from "../controller-ref.js";
import { computeHash } from "../pod-template-hash.js";
import { STS_API_VERSION, STS_KIND, StatefulSetRevisionLabel, getPodRevision, type ControllerRevision, type StatefulPod, type StatefulSet } from "./objects.js";

const CONTROLLER_REVISIONS = APPS_V1("controllerrevisions");
/** Upstream keeps revision names within the 253 characters of a name: the prefix gets 223. */
const MAX_NAME_PREFIX = 223;
/** retry.DefaultBackoff's attempts for a revision number update that conflicts. */
const UPDATE_ATTEMPTS = 4;

/** getPatch: the strategic merge patch that restores the set's pod template. */
export function getPatch(set: StatefulSet): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(set.spec.template ?? {}), $patch: "replace" } } };
}

/** ApplyRevision: the set with the revision's template (the patch replaces the template whole). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const { $patch: _directive, ...template } = structuredClone(data?.spec?.template ?? {});
  return { ...set, spec: { ...set.spec, template } };
}

/** newRevision (history.NewControllerRevision): the revision object for the set's template. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const data = getPatch(set);
  const hash = computeHash(data, collisionCount);
  return {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: revisionName(set.metadata.name ?? "", hash),
      namespace: set.metadata.namespace,
      labels: { ...set.spec.template?.metadata?.labels, [StatefulSetRevisionLabel]: hash },
      annotations: { ...set.metadata.annotations },
      ownerReferences: [newControllerRef(set, STS_API_VERSION, STS_KIND)],
    },
    data,
    revision,
  };
}

function revisionName(prefix: string, hash: string): string {
  return `${prefix.slice(0, MAX_NAME_PREFIX)}-${hash}`;
}

/**
 * EqualRevision: the same patch. (Upstream also compares hash labels that parse as integers; ours
 * never do, and a hash made under another collisionCount must not make equal templates differ.)
 */
export function equalRevision(a: ControllerRevision, b: ControllerRevision): boolean {
  return canonicalJson(a.data) === canonicalJson(b.data);
}

/** SortControllerRevisions: by revision number, then creation time, then name. */
export function sortRevisions(revisions: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort(
    (a, b) =>
      (a.revision ?? 0) - (b.revision ?? 0) ||
      (Date.parse(a.metadata.creationTimestamp ?? "") || 0) - (Date.parse(b.metadata.creationTimestamp ?? "") || 0) ||
      (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""),
  );
}

/** nextRevision: one more than the highest (revisions sorted). */
export function nextRevision(sorted: readonly ControllerRevision[]): number {
  return (sorted.at(-1)?.revision ?? 0) + 1;
}

export interface SetRevisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

/** getStatefulSetRevisions over the set's revisions (sorted); may create or renumber one. */
export async function getStatefulSetRevisions(client: Client, set: StatefulSet, sorted: readonly ControllerRevision[]): Promise<SetRevisions> {
  let collisionCount = set.status?.collisionCount ?? 0;
  const candidate = newRevision(set, nextRevision(sorted), collisionCount);
  const equal = sorted.filter((r) => equalRevision(r, candidate));
  const lastEqual = equal.at(-1);
  const last = sorted.at(-1);
  let update: ControllerRevision;
  if (lastEqual && last && equalRevision(last, lastEqual)) {
    // The template has not changed since the last revision.
    update = last;
  } else if (lastEqual) {
    // Back to an older template (a rollback): that revision becomes the newest.
    update = await updateControllerRevision(client, lastEqual, candidate.revision ?? 0);
  } else {
    ({ revision: update, collisionCount } = await createControllerRevision(client, set, candidate, collisionCount));
  }
  const current = sorted.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/** CreateControllerRevision: creates it, renaming on collisions with a different template. */
async function createControllerRevision(client: Client, set: StatefulSet, revision: ControllerRevision, collisionCount: number): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  for (let count = collisionCount; ; count++) {
    const hash = computeHash(revision.data, count);
    const attempt = structuredClone(revision);
    attempt.metadata.name = revisionName(set.metadata.name ?? "", hash);
    attempt.metadata.labels = { ...attempt.metadata.labels, [StatefulSetRevisionLabel]: hash };
    try {
      return { revision: (await client.create(CONTROLLER_REVISIONS, set.metadata.namespace, attempt)) as ControllerRevision, collisionCount: count };
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === "AlreadyExists")) throw err;
      const existing = (await client.get(CONTROLLER_REVISIONS, set.metadata.namespace, attempt.metadata.name)) as ControllerRevision;
      // Ours already (a cache that lags): use it; a different template under the name: next hash.
      if (canonicalJson(existing.data) === canonicalJson(attempt.data)) return { revision: existing, collisionCount: count };
    }
  }
}

/** UpdateControllerRevision: sets its revision number, re-reading on conflicts. */
async function updateControllerRevision(client: Client, revision: ControllerRevision, newNumber: number): Promise<ControllerRevision> {
  let current = revision;
  for (let attempt = 1; ; attempt++) {
    if (current.revision === newNumber) return current;
    try {
      return (await client.update(CONTROLLER_REVISIONS, current.metadata.namespace, { ...structuredClone(current), revision: newNumber })) as ControllerRevision;
    } catch (err) {
      if (attempt >= UPDATE_ATTEMPTS || !(err instanceof StatusError && err.code === 409)) throw err;
      current = (await client.get(CONTROLLER_REVISIONS, current.metadata.namespace, current.metadata.name ?? "")) as ControllerRevision;
    }
  }
}

/**
 * truncateHistory: deletes non-live revisions (not current, not update, used by no pod), lowest
 * first, until revisionHistoryLimit of them remain.
 */
export async function truncateHistory(client: Client, set: StatefulSet, pods: readonly StatefulPod[], sorted: readonly ControllerRevision[], live: readonly (ControllerRevision | undefined)[]): Promise<void> {
  const liveNames = new Set([...live.map((r) => r?.metadata.name ?? ""), ...pods.map(getPodRevision)]);
  const history = sorted.filter((r) => !liveNames.has(r.metadata.name ?? ""));
  const limit = set.spec.revisionHistoryLimit ?? 10;
  if (limit < 0 || history.length <= limit) return;
  for (const revision of history.slice(0, history.length - limit)) {
    try {
      await client.delete(CONTROLLER_REVISIONS, revision.metadata.namespace, revision.metadata.name ?? "");
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
}
