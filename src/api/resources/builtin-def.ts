// The ResourceDef of built-in kinds, with two facts the generic contract does not carry yet:
// the kind's name rule (upstream passes a ValidateNameFunc to ValidateObjectMeta per kind) and a
// create-only step (upstream's strategy PrepareForCreate: it runs once, after uid and
// creationTimestamp are set, before validation; unlike defaults it never runs on update, so a
// value it sets may later be removed, e.g. a Namespace's "kubernetes" finalizer).
import type { KubeObject, ResourceDef } from "../resource.js";
import type { NameValidation } from "../validation/names.js";

export interface BuiltinResourceDef extends ResourceDef {
  /** How metadata.name is validated; "subdomain" (DNS-1123 subdomain) when absent. */
  nameValidation?: NameValidation;
  /** Create-only preparation (upstream PrepareForCreate), after server-owned metadata is set. */
  prepareForCreate?(obj: KubeObject): void;
}

/** The verbs of nearly every kind. */
export const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
