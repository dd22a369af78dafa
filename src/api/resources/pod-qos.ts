// A pod's QoS class as upstream's qos.ComputePodQOS (container-level resources): BestEffort without
// cpu/memory requests or limits, Guaranteed when every container limits both and requests equal
// limits, Burstable otherwise. Stored in status.qosClass when the pod is created.
import { Quantity } from "../quantity.js";
import { recordAt, recordsAt, type JsonRecord } from "./object-fields.js";
import { quantityOf } from "./resource-lists.js";

const QOS_RESOURCES = ["cpu", "memory"];

export type QOSClass = "Guaranteed" | "Burstable" | "BestEffort";

export function podQOSClass(spec: JsonRecord): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const container of [...recordsAt(spec, "containers"), ...recordsAt(spec, "initContainers")]) {
    addPositive(requests, recordAt(container, "resources", "requests"));
    const found = addPositive(limits, recordAt(container, "resources", "limits"));
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed) {
    for (const [name, request] of requests) {
      const limit = limits.get(name);
      if (!limit || !limit.equals(request)) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}

/** Adds the positive cpu/memory quantities of a list into totals; returns the names it added. */
function addPositive(totals: Map<string, Quantity>, list: JsonRecord | undefined): Set<string> {
  const added = new Set<string>();
  for (const name of QOS_RESOURCES) {
    const q = list ? quantityOf(list[name]) : undefined;
    if (q === undefined || typeof q === "string" || q.sign() <= 0) continue;
    added.add(name);
    totals.set(name, totals.get(name)?.add(q) ?? q);
  }
  return added;
}
