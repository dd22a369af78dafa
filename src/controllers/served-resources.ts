// What the server serves, for controllers that work across every resource (the garbage collector,
// the namespace controller): upstream's discovery plus RESTMapper, built from the static list of
// built-in kinds. Only one version per storage resource is listed (definitions with a conversion
// are alternative versions of a kind listed already), so nothing is watched or deleted twice; an
// ownerReference in any served version still resolves. Reads nothing at import time.
import { builtinResources } from "../api/resources/index.js";
import { ALL_VERBS, apiVersionOf, type ResourceDef } from "../api/resource.js";
import type { ResourceRef } from "../client/client.js";

export interface ServedResource {
  ref: ResourceRef;
  kind: string;
  /** "apps/v1", "v1". */
  apiVersion: string;
  namespaced: boolean;
  verbs: readonly string[];
}

/** Upstream's default --garbage-collector ignored resources: events in both groups. */
const GC_IGNORED = new Set(["/events", "events.k8s.io/events"]);

export class ServedResources {
  private readonly all: ServedResource[];
  private readonly preferred: ServedResource[];

  constructor(defs: readonly ResourceDef[] = builtinResources()) {
    this.all = defs.map(served);
    this.preferred = defs.filter((def) => !def.conversion).map(served);
  }

  /** upstream's GetDeletableResources minus the ignored ones: what the garbage collector watches. */
  garbageCollected(): ServedResource[] {
    return this.preferred.filter((r) => supports(r, ["delete", "list", "watch"]) && !GC_IGNORED.has(`${r.ref.group}/${r.ref.resource}`));
  }

  /** Namespaced resources that can be listed and deleted: what a terminating namespace must lose. */
  namespacedDeletable(): ServedResource[] {
    return this.preferred.filter((r) => r.namespaced && supports(r, ["delete", "list"]));
  }

  /**
   * The resource of an ownerReference's apiVersion and kind (the RESTMapper): that exact version if
   * served, else the kind's preferred version in the same group; undefined for an unknown kind.
   */
  resourceFor(apiVersion: string, kind: string): ServedResource | undefined {
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    const exact = this.all.find((r) => r.apiVersion === apiVersion && r.kind === kind);
    return exact ?? this.preferred.find((r) => r.ref.group === group && r.kind === kind);
  }
}

function served(def: ResourceDef): ServedResource {
  return {
    ref: { group: def.group, version: def.version, resource: def.plural },
    kind: def.kind,
    apiVersion: apiVersionOf(def),
    namespaced: def.namespaced,
    verbs: def.verbs ?? ALL_VERBS,
  };
}

function supports(resource: ServedResource, verbs: readonly string[]): boolean {
  return verbs.every((verb) => resource.verbs.includes(verb));
}
