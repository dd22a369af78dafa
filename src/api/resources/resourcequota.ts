// core/v1 ResourceQuota: quota, status subresource; hard limits in canonical form, quota resource
// names and scopes validated; the printer's REQUEST and LIMIT columns ("cpu: 500m/2, pods: 3/10").
import type { KubeObject, ValidationContext } from "../resource.js";
import { invalid, notSupported, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { path } from "./field-path.js";
import { recordAt, stringsAt } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";
import { normalizeResourceList, validateQuantityValue, validateResourceName } from "./resource-lists.js";
import { quantityString } from "./volume-claims.js";

const QUOTA_RESOURCES = new Set([
  "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims", "services.nodeports",
  "services.loadbalancers", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage", "requests.storage",
  "limits.cpu", "limits.memory", "limits.ephemeral-storage",
]);
const SCOPES = ["BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass", "Terminating", "VolumeAttributesClass"];

export function resourceQuotaResource(): ResourceDef {
  return {
    group: "",
    version: "v1",
    kind: "ResourceQuota",
    plural: "resourcequotas",
    singular: "resourcequota",
    namespaced: true,
    shortNames: ["quota"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    defaults: (obj) => {
      normalizeResourceList(recordAt(obj, "spec", "hard"));
      normalizeResourceList(recordAt(obj, "status", "hard"));
      normalizeResourceList(recordAt(obj, "status", "used"));
    },
    validate: validateResourceQuota,
    table: {
      columns: [
        nameColumn(),
        column("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
        column("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
        ageColumn(),
      ],
      cells: quotaCells,
    },
  };
}

function isQuotaResource(name: string): boolean {
  return QUOTA_RESOURCES.has(name) || name.startsWith("count/") || name.startsWith("hugepages-") || name.startsWith("requests.hugepages-");
}

function validateResourceQuota(obj: KubeObject, context: ValidationContext): FieldError[] {
  const field = context.subresource === "status" ? "status" : "spec";
  const errs: FieldError[] = [];
  for (const [name, value] of Object.entries(recordAt(obj, field, "hard") ?? {})) {
    const at = path(field, "hard").key(name);
    errs.push(...validateResourceName(name, at));
    if (!name.includes("/") && !isQuotaResource(name)) errs.push(invalid(`${at}`, name, "must be a standard resource for quota"));
    errs.push(...validateQuantityValue(name, value, at));
  }
  stringsAt(obj, "spec", "scopes").forEach((scope, i) => {
    if (!SCOPES.includes(scope)) errs.push(notSupported(`${path("spec", "scopes").index(i)}`, scope, SCOPES));
  });
  return errs;
}

/** upstream printResourceQuota: "name: used/hard" for each hard resource, limits.* in the LIMIT column. */
function quotaCells(obj: KubeObject, now: Date): unknown[] {
  const hard = recordAt(obj, "status", "hard") ?? {};
  const used = recordAt(obj, "status", "used") ?? {};
  const requests: string[] = [];
  const limits: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const text = `${name}: ${quantityString(used[name], "0")}/${quantityString(hard[name], "0")}`;
    (name.split(".").length > 1 && name.startsWith("limits.") ? limits : requests).push(text);
  }
  return [nameOf(obj), requests.join(", "), limits.join(", "), ageOf(obj, now)];
}
