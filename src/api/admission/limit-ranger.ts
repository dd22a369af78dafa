// The LimitRanger admission plugin (upstream plugin/pkg/admission/limitranger): on pod create, the
// mutating phase fills each container's missing requests and limits from the namespace's
// LimitRanges (Container defaultRequest/default) and notes it in the kubernetes.io/limit-ranger
// annotation; the validating phase enforces min, max and maxLimitRequestRatio per Container and
// per Pod, and min/max storage requests per PersistentVolumeClaim, with upstream's messages.
import type { ApiContext } from "../handlers/api-context.js";
import type { Quantity } from "../quantity.js";
import type { KubeObject } from "../resource.js";
import { ensureRecord, isRecord, recordAt, recordsAt, stringAt, type JsonRecord } from "../resources/object-fields.js";
import type { AdmissionPlugin, AdmissionRequest } from "./admission.js";
import { admissionForbidden } from "./forbidden.js";
import { NamespaceIndex } from "./namespace-index.js";
import { containerResources, podResources, resourceList, type ResourceList } from "./resource-list.js";

const ANNOTATION = "kubernetes.io/limit-ranger";

export class LimitRangerPlugin implements AdmissionPlugin {
  readonly name = "LimitRanger";
  readonly #ranges: NamespaceIndex;

  constructor(api: ApiContext) {
    this.#ranges = new NamespaceIndex(api.cache, "limitranges");
  }

  admit(request: AdmissionRequest): boolean {
    if (!isPodCreate(request) || !request.object) return false;
    let changed = false;
    for (const range of this.limitRanges(request.namespace)) if (applyDefaults(request.object, range)) changed = true;
    return changed;
  }

  validate(request: AdmissionRequest): void {
    const isPvc = request.def.group === "" && request.def.plural === "persistentvolumeclaims" && !request.subresource && (request.operation === "CREATE" || request.operation === "UPDATE");
    if ((!isPodCreate(request) && !isPvc) || !request.object) return;
    if (request.oldObject?.metadata?.deletionTimestamp) return;
    for (const range of this.limitRanges(request.namespace)) {
      const errors = isPvc ? validateClaim(request.object, range) : validatePod(request.object, range);
      // upstream's utilerrors.NewAggregate: one message alone, several as "[a, b]".
      if (errors.length === 1) throw admissionForbidden(request, errors[0]!);
      if (errors.length > 1) throw admissionForbidden(request, `[${errors.join(", ")}]`);
    }
  }

  private limitRanges(namespace: string | undefined): KubeObject[] {
    return namespace ? this.#ranges.list(namespace) : [];
  }
}

function isPodCreate(request: AdmissionRequest): boolean {
  // Containers' resources cannot change on update, so upstream limits pods only on create.
  return request.def.group === "" && request.def.plural === "pods" && !request.subresource && request.operation === "CREATE";
}

function containerLimits(range: KubeObject): JsonRecord[] {
  return recordsAt(range, "spec", "limits").filter((l) => stringAt(l, "type") === "Container");
}

/** upstream mergePodResourceRequirements: fills what each container lacks; true when anything was set. */
function applyDefaults(pod: KubeObject, range: KubeObject): boolean {
  const defaults: Record<"requests" | "limits", JsonRecord> = { requests: {}, limits: {} };
  for (const item of containerLimits(range)) {
    Object.assign(defaults.requests, recordAt(item, "defaultRequest") ?? {});
    Object.assign(defaults.limits, recordAt(item, "default") ?? {});
  }
  if (Object.keys(defaults.requests).length + Object.keys(defaults.limits).length === 0) return false;
  const notes: string[] = [];
  const merge = (container: JsonRecord, prefix: string) => {
    const resources = ensureRecord(container, "resources");
    for (const field of ["requests", "limits"] as const) {
      const set: string[] = [];
      for (const [name, value] of Object.entries(defaults[field])) {
        const list = ensureRecord(resources, field);
        if (list[name] === undefined) {
          list[name] = value;
          set.push(name);
        }
      }
      if (set.length > 0) notes.push(`${set.sort().join(", ")} ${field === "requests" ? "request" : "limit"} for ${prefix} ${stringAt(container, "name") ?? ""}`);
    }
  };
  for (const c of recordsAt(pod, "spec", "containers")) merge(c, "container");
  for (const c of recordsAt(pod, "spec", "initContainers")) merge(c, "init container");
  if (notes.length === 0) return false;
  const meta = (pod.metadata ??= {});
  meta.annotations = { ...meta.annotations, [ANNOTATION]: `LimitRanger plugin set: ${notes.join("; ")}` };
  return true;
}

function validatePod(pod: KubeObject, range: KubeObject): string[] {
  const errors: string[] = [];
  const spec = recordAt(pod, "spec");
  for (const item of recordsAt(range, "spec", "limits")) {
    const type = stringAt(item, "type") ?? "";
    if (type === "Container") {
      for (const c of [...recordsAt(spec, "containers"), ...recordsAt(spec, "initContainers")]) {
        errors.push(...checkBounds(item, type, containerResources(c, "requests"), containerResources(c, "limits")));
      }
    } else if (type === "Pod") {
      errors.push(...checkBounds(item, type, podResources(spec, "requests"), podResources(spec, "limits")));
    }
  }
  return errors;
}

function checkBounds(item: JsonRecord, type: string, requests: ResourceList, limits: ResourceList): string[] {
  const errors: string[] = [];
  for (const [name, enforced] of resourceList(item.min)) pushIf(errors, minConstraint(type, name, enforced, requests, limits));
  for (const [name, enforced] of resourceList(item.max)) pushIf(errors, maxConstraint(type, name, enforced, requests, limits));
  for (const [name, enforced] of resourceList(item.maxLimitRequestRatio)) pushIf(errors, ratioConstraint(type, name, enforced, requests, limits));
  return errors;
}

/** PVCs: min on requests, max on requests only (limits are not user input for claims). */
function validateClaim(claim: KubeObject, range: KubeObject): string[] {
  const requests = resourceList(isRecord(claim.spec) ? recordAt(claim.spec, "resources", "requests") : undefined);
  const errors: string[] = [];
  for (const item of recordsAt(range, "spec", "limits")) {
    if (stringAt(item, "type") !== "PersistentVolumeClaim") continue;
    for (const [name, enforced] of resourceList(item.min)) pushIf(errors, minConstraint("PersistentVolumeClaim", name, enforced, requests, new Map()));
    for (const [name, enforced] of resourceList(item.max)) {
      const request = requests.get(name);
      if (!request) errors.push(`maximum ${name} usage per PersistentVolumeClaim is ${enforced}.  No request is specified`);
      else if (request.cmp(enforced) > 0) errors.push(`maximum ${name} usage per PersistentVolumeClaim is ${enforced}, but request is ${request}`);
    }
  }
  return errors;
}

function pushIf(errors: string[], error: string | undefined): void {
  if (error) errors.push(error);
}

export function minConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const request = requests.get(name);
  const limit = limits.get(name);
  if (!request) return `minimum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (request.cmp(enforced) < 0) return `minimum ${name} usage per ${type} is ${enforced}, but request is ${request}`;
  if (limit && limit.cmp(enforced) < 0) return `minimum ${name} usage per ${type} is ${enforced}, but limit is ${limit}`;
  return undefined;
}

export function maxConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const request = requests.get(name);
  const limit = limits.get(name);
  if (!limit) return `maximum ${name} usage per ${type} is ${enforced}.  No limit is specified`;
  if (limit.cmp(enforced) > 0) return `maximum ${name} usage per ${type} is ${enforced}, but limit is ${limit}`;
  if (request && request.cmp(enforced) > 0) return `maximum ${name} usage per ${type} is ${enforced}, but request is ${request}`;
  return undefined;
}

export function ratioConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const request = requests.get(name);
  const limit = limits.get(name);
  if (!request || request.isZero()) return `${name} max limit to request ratio per ${type} is ${enforced}, but no request is specified or request is 0`;
  if (!limit || limit.isZero()) return `${name} max limit to request ratio per ${type} is ${enforced}, but no limit is specified or limit is 0`;
  const ratio = limit.milliValue() / request.milliValue();
  // Go's %f: six decimals.
  if (ratio * 1000 > enforced.milliValue()) return `${name} max limit to request ratio per ${type} is ${enforced}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}
