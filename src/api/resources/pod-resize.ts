// The pods/resize subresource (in-place pod vertical scaling, v1.32): a write through it changes
// only the containers' cpu and memory requests and limits (and resizePolicy); everything else
// stays as stored. A resize may not change the pod's QoS class, touch other resources, or add
// or remove containers, each refused with upstream's wording.
import type { KubeObject } from "../resource.js";
import { forbiddenField, invalid, type FieldError } from "../validation/field-errors.js";
import { isRecord, jsonEqual, recordAt, recordsAt, stringAt, type JsonRecord } from "./object-fields.js";
import { podQOSClass } from "./pod-qos.js";

const RESIZABLE = new Set(["cpu", "memory"]);

/** The stored pod with the containers' resources (and resize policies) of the desired one. */
export function applyPodResize(current: KubeObject, desired: KubeObject): KubeObject {
  const next = structuredClone(current);
  const spec = recordAt(next, "spec") ?? {};
  const wanted = new Map(recordsAt(desired, "spec", "containers").map((c) => [stringAt(c, "name"), c]));
  for (const container of recordsAt(spec, "containers")) {
    const update = wanted.get(stringAt(container, "name"));
    if (!update) continue;
    if (isRecord(update.resources)) container.resources = structuredClone(update.resources);
    else delete container.resources;
    if (Array.isArray(update.resizePolicy)) container.resizePolicy = structuredClone(update.resizePolicy);
  }
  return next;
}

/** upstream's resize validation: only cpu and memory change, the QoS class stays, no container comes or goes. */
export function validatePodResize(desired: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const newContainers = recordsAt(desired, "spec", "containers");
  const oldContainers = recordsAt(old, "spec", "containers");
  const names = (list: JsonRecord[]) => list.map((c) => stringAt(c, "name")).join(",");
  if (names(newContainers) !== names(oldContainers)) errs.push(forbiddenField("spec.containers", "containers may not be added or removed on resize"));
  for (const [i, container] of newContainers.entries()) {
    const before = oldContainers.find((c) => stringAt(c, "name") === stringAt(container, "name"));
    if (!before) continue;
    for (const kind of ["requests", "limits"]) {
      const next = (recordAt(container, "resources", kind) ?? {}) as JsonRecord;
      const prev = (recordAt(before, "resources", kind) ?? {}) as JsonRecord;
      for (const name of new Set([...Object.keys(next), ...Object.keys(prev)])) {
        if (!RESIZABLE.has(name) && !jsonEqual(next[name], prev[name])) errs.push(forbiddenField(`spec.containers[${i}].resources.${kind}[${name}]`, "only cpu and memory resources are mutable"));
      }
    }
  }
  const oldQOS = podQOSClass((recordAt(old, "spec") ?? {}) as JsonRecord);
  const newQOS = podQOSClass((recordAt(desired, "spec") ?? {}) as JsonRecord);
  if (oldQOS !== newQOS) errs.push(invalid("spec", newQOS, `Pod QOS Class may not change as a result of resizing`));
  return errs;
}
