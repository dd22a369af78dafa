// The status conditions of a terminating namespace (upstream namespace/deletion
// status_condition_utils.go): every condition type the deleter maintains is always present, as its
// failure variant (status True) when something is wrong and its "ok" variant (status False)
// otherwise; lastTransitionTime changes only when the status does. Pure functions.

export interface NamespaceCondition {
  type: string;
  status: "True" | "False";
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

/** The content still in the namespace after a deletion pass. */
export interface ContentTotals {
  /** "configmaps." / "deployments.apps" → instances remaining. */
  remainingByResource: Map<string, number>;
  /** finalizer → instances still carrying it. */
  remainingByFinalizer: Map<string, number>;
  /** Deletion failures, one message per resource. */
  deleteErrors: string[];
}

const CONDITION_TYPES = [
  "NamespaceDeletionDiscoveryFailure",
  "NamespaceDeletionGroupVersionParsingFailure",
  "NamespaceDeletionContentFailure",
  "NamespaceContentRemaining",
  "NamespaceFinalizersRemaining",
] as const;

const OK: Record<(typeof CONDITION_TYPES)[number], { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: "ResourcesDiscovered", message: "All resources successfully discovered" },
  NamespaceDeletionGroupVersionParsingFailure: { reason: "ParsedGroupVersions", message: "All legacy kube types successfully parsed" },
  NamespaceDeletionContentFailure: { reason: "ContentDeleted", message: "All content successfully deleted, may be waiting on finalization" },
  NamespaceContentRemaining: { reason: "ContentRemoved", message: "All content successfully removed" },
  NamespaceFinalizersRemaining: { reason: "ContentHasNoFinalizers", message: "All content-preserving finalizers finished" },
};

/** The failure conditions the totals call for (discovery cannot fail: the served kinds are static). */
export function failureConditions(totals: ContentTotals): NamespaceCondition[] {
  const conditions: NamespaceCondition[] = [];
  const resources = describeCounts(totals.remainingByResource, (resource, n) => `${resource} has ${n} resource instances`);
  if (resources.length > 0) {
    conditions.push({ type: "NamespaceContentRemaining", status: "True", reason: "SomeResourcesRemain", message: `Some resources are remaining: ${resources.join(", ")}` });
  }
  const finalizers = describeCounts(totals.remainingByFinalizer, (finalizer, n) => `${finalizer} in ${n} resource instances`);
  if (finalizers.length > 0) {
    conditions.push({ type: "NamespaceFinalizersRemaining", status: "True", reason: "SomeFinalizersRemain", message: `Some content in the namespace has finalizers remaining: ${finalizers.join(", ")}` });
  }
  if (totals.deleteErrors.length > 0) {
    const messages = [...totals.deleteErrors].sort();
    conditions.push({ type: "NamespaceDeletionContentFailure", status: "True", reason: "ContentDeletionFailed", message: `Failed to delete all resource types, ${messages.length} remaining: ${messages.join(", ")}` });
  }
  return conditions;
}

/**
 * The namespace's conditions after this pass (upstream's updateConditions): the failures given, the
 * ok variant of every other maintained type; other conditions kept. `changed` is false when
 * nothing but timestamps would differ.
 */
export function updateConditions(old: readonly NamespaceCondition[], failures: readonly NamespaceCondition[], now: string): { conditions: NamespaceCondition[]; changed: boolean } {
  const conditions = old.map((c) => ({ ...c }));
  let changed = false;
  for (const type of CONDITION_TYPES) {
    const wanted = failures.find((c) => c.type === type) ?? { type, status: "False" as const, ...OK[type] };
    const existing = conditions.find((c) => c.type === type);
    if (!existing) {
      conditions.push({ ...wanted, lastTransitionTime: now });
      changed = true;
    } else if (existing.status !== wanted.status || existing.reason !== wanted.reason || existing.message !== wanted.message) {
      if (existing.status !== wanted.status) existing.lastTransitionTime = now;
      Object.assign(existing, { status: wanted.status, reason: wanted.reason, message: wanted.message });
      changed = true;
    }
  }
  return { conditions, changed };
}

/** Non-zero counts as sorted sentences (sorted for stable updates, as upstream). */
function describeCounts(counts: ReadonlyMap<string, number>, sentence: (key: string, n: number) => string): string[] {
  return [...counts].filter(([, n]) => n > 0).map(([key, n]) => sentence(key, n)).sort();
}
