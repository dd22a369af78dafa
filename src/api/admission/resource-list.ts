// corev1.ResourceList arithmetic over kubelite's Quantity (upstream quota/v1 helpers and the pod
// request/limit sums of resourcehelper): parse a JSON list, add, max, mask, compare, and print it
// as upstream's prettyPrint ("pods=1,requests.cpu=500m").
import { Quantity } from "../quantity.js";
import { isRecord, recordsAt, stringAt, type JsonRecord } from "../resources/object-fields.js";
import { quantityOf } from "../resources/resource-lists.js";

export type ResourceList = Map<string, Quantity>;

/** The valid entries of a JSON ResourceList (validation has refused bad ones already). */
export function resourceList(value: unknown): ResourceList {
  const out: ResourceList = new Map();
  if (!isRecord(value)) return out;
  for (const [name, raw] of Object.entries(value)) {
    const q = quantityOf(raw);
    if (typeof q !== "string") out.set(name, q);
  }
  return out;
}

export function toJson(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...list.keys()].sort()) out[name] = list.get(name)!.toString();
  return out;
}

/** a + b for every name in either. */
export function add(a: ResourceList, b: ResourceList): ResourceList {
  const out = new Map(a);
  for (const [name, q] of b) out.set(name, out.get(name)?.add(q) ?? q);
  return out;
}

/** Sets each name of b in list to the larger of the two. */
function maxInto(list: ResourceList, b: ResourceList): void {
  for (const [name, q] of b) {
    const current = list.get(name);
    if (!current || q.cmp(current) > 0) list.set(name, q);
  }
}

/** Only the named entries. */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = new Map();
  for (const name of names) {
    const q = list.get(name);
    if (q) out.set(name, q);
  }
  return out;
}

/** The names of a whose value exceeds b's (a missing b entry is not a limit). */
export function exceeding(a: ResourceList, b: ResourceList): string[] {
  return [...a].filter(([name, q]) => b.has(name) && q.cmp(b.get(name)!) > 0).map(([name]) => name);
}

export function prettyPrint(list: ResourceList): string {
  return [...list.keys()].sort().map((name) => `${name}=${list.get(name)!.toString()}`).join(",");
}

/** Non-zero entries only (upstream quota.RemoveZeros). */
export function removeZeros(list: ResourceList): ResourceList {
  return new Map([...list].filter(([, q]) => !q.isZero()));
}

export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [name, q] of a) {
    const diff = b.has(name) ? q.sub(b.get(name)!) : q;
    out.set(name, diff.sign() < 0 ? Quantity.zero() : diff);
  }
  return out;
}

export function containerResources(container: JsonRecord, field: "requests" | "limits"): ResourceList {
  return resourceList(isRecord(container.resources) ? container.resources[field] : undefined);
}

/**
 * upstream PodRequests / PodLimits: the containers' sum, raised to the largest init container
 * (restartable "sidecar" init containers add to both, as upstream counts them).
 */
export function podResources(spec: JsonRecord | undefined, field: "requests" | "limits"): ResourceList {
  let total: ResourceList = new Map();
  for (const c of recordsAt(spec, "containers")) total = add(total, containerResources(c, field));
  let sidecars: ResourceList = new Map();
  const initMax: ResourceList = new Map();
  for (const c of recordsAt(spec, "initContainers")) {
    const own = containerResources(c, field);
    if (stringAt(c, "restartPolicy") === "Always") {
      total = add(total, own);
      sidecars = add(sidecars, own);
      maxInto(initMax, sidecars);
    } else {
      maxInto(initMax, add(own, sidecars));
    }
  }
  maxInto(total, initMax);
  return total;
}
