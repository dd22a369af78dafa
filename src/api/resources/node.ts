// core/v1 Node: no, cluster-scoped, status subresource; allocatable defaults to capacity; taints and
// pod CIDRs validated; the node printer (Ready/NotReady/Unknown, SchedulingDisabled, roles from
// node-role.kubernetes.io/* labels) and the spec.unschedulable field selector.
import type { KubeObject, ValidationContext } from "../resource.js";
import { duplicate, forbiddenField, invalid, type FieldError } from "../validation/field-errors.js";
import { isQualifiedName, isValidLabelValue } from "../validation/names.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { path } from "./field-path.js";
import { isValidCIDR } from "./formats.js";
import { booleanAt, ensureRecord, recordAt, recordsAt, stringAt, stringsAt, type JsonRecord } from "./object-fields.js";
import { validateTaintEffect } from "./pod-spec-validation.js";
import { ageColumn, ageOf, column, nameColumn, nameOf, wideColumn } from "./printing.js";
import { normalizeResourceList, validateResourceList } from "./resource-lists.js";
import { booleanField } from "./selectable-fields.js";

const ROLE_PREFIX = "node-role.kubernetes.io/";
const ROLE_LABEL = "kubernetes.io/role";

export function nodeResource(): ResourceDef {
  const info = (field: string) => fieldDoc("core.v1.NodeSystemInfo", field);
  return {
    group: "",
    version: "v1",
    kind: "Node",
    plural: "nodes",
    singular: "node",
    namespaced: false,
    shortNames: ["no"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    keepsStatusOnCreate: true,
    defaults: defaultNode,
    validate: validateNode,
    table: {
      columns: [
        nameColumn(), column("Status", "string", "The status of the node"), column("Roles", "string", "The roles of the node"), ageColumn(),
        column("Version", "string", info("kubeletVersion")), wideColumn("Internal-IP", "string", fieldDoc("core.v1.NodeStatus", "addresses")),
        wideColumn("External-IP", "string", fieldDoc("core.v1.NodeStatus", "addresses")), wideColumn("OS-Image", "string", info("osImage")),
        wideColumn("Kernel-Version", "string", info("kernelVersion")), wideColumn("Container-Runtime", "string", info("containerRuntimeVersion")),
      ],
      cells: nodeCells,
    },
    fieldSelectors: { "spec.unschedulable": booleanField("spec", "unschedulable") },
  };
}

/** SetDefaults_NodeStatus: allocatable is capacity unless reported; quantities in canonical form. */
function defaultNode(obj: KubeObject): void {
  const status = recordAt(obj, "status");
  if (!status) return;
  normalizeResourceList(status.capacity);
  normalizeResourceList(status.allocatable);
  if ((status.allocatable === undefined || status.allocatable === null) && recordAt(status, "capacity")) status.allocatable = { ...recordAt(status, "capacity") };
}

function validateNode(obj: KubeObject, context: ValidationContext): FieldError[] {
  const spec = recordAt(obj, "spec") ?? {};
  const errs = [...validateTaints(recordsAt(spec, "taints")), ...validatePodCIDRs(stringsAt(spec, "podCIDRs"))];
  errs.push(...validateResourceList(recordAt(obj, "status", "capacity"), path("status", "capacity")));
  errs.push(...validateResourceList(recordAt(obj, "status", "allocatable"), path("status", "allocatable")));
  if (context.old && context.subresource === undefined) errs.push(...validateNodeUpdate(spec, ensureRecord(context.old, "spec")));
  return errs;
}

function validateTaints(taints: JsonRecord[]): FieldError[] {
  const seen = new Set<string>();
  return taints.flatMap((taint, i) => {
    const at = path("spec", "taints").index(i);
    const key = stringAt(taint, "key") ?? "";
    const value = stringAt(taint, "value") ?? "";
    const effect = stringAt(taint, "effect") ?? "";
    const errs = [
      ...isQualifiedName(key).map((msg) => invalid(`${at.child("key")}`, key, msg)),
      ...isValidLabelValue(value).map((msg) => invalid(`${at.child("value")}`, value, msg)),
      ...validateTaintEffect(effect, at.child("effect")),
    ];
    const id = `${key}:${effect}`;
    if (seen.has(id)) errs.push(duplicate(`${at}`, taint));
    seen.add(id);
    return errs;
  });
}

function validatePodCIDRs(cidrs: string[]): FieldError[] {
  return cidrs.flatMap((cidr, i) => isValidCIDR(cidr).map((msg) => invalid(`${path("spec", "podCIDRs").index(i)}`, cidr, msg)));
}

/** upstream ValidateNodeUpdate: pod CIDRs and provider ID only change from unset. */
function validateNodeUpdate(spec: JsonRecord, oldSpec: JsonRecord): FieldError[] {
  const errs: FieldError[] = [];
  const oldCIDRs = stringsAt(oldSpec, "podCIDRs");
  if (oldCIDRs.length > 0 && stringsAt(spec, "podCIDRs").join(",") !== oldCIDRs.join(",")) {
    errs.push(forbiddenField("spec.podCIDRs", 'node updates may not change podCIDR except from "" to valid'));
  }
  const oldProvider = stringAt(oldSpec, "providerID") ?? "";
  if (oldProvider !== "" && (stringAt(spec, "providerID") ?? "") !== oldProvider) {
    errs.push(forbiddenField("spec.providerID", 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

function nodeCells(obj: KubeObject, now: Date): unknown[] {
  const info = (field: string) => stringAt(obj, "status", "nodeInfo", field) || "<unknown>";
  return [
    nameOf(obj), nodeStatus(obj), nodeRoles(obj).join(",") || "<none>", ageOf(obj, now), stringAt(obj, "status", "nodeInfo", "kubeletVersion") ?? "",
    nodeAddress(obj, "InternalIP"), nodeAddress(obj, "ExternalIP"), info("osImage"), info("kernelVersion"), info("containerRuntimeVersion"),
  ];
}

/** "Ready", "NotReady" or "Unknown", then ",SchedulingDisabled" for a cordoned node. */
export function nodeStatus(obj: KubeObject): string {
  const ready = recordsAt(obj, "status", "conditions").filter((c) => stringAt(c, "type") === "Ready").pop();
  const status = [ready ? (stringAt(ready, "status") === "True" ? "Ready" : "NotReady") : "Unknown"];
  if (booleanAt(obj, "spec", "unschedulable") === true) status.push("SchedulingDisabled");
  return status.join(",");
}

/** upstream findNodeRoles: node-role.kubernetes.io/<role> keys and kubernetes.io/role values, sorted and unique. */
export function nodeRoles(obj: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(obj.metadata?.labels ?? {})) {
    if (key.startsWith(ROLE_PREFIX) && key.length > ROLE_PREFIX.length) roles.add(key.slice(ROLE_PREFIX.length));
    else if (key === ROLE_LABEL && value !== "") roles.add(value);
  }
  return [...roles].sort();
}

function nodeAddress(obj: KubeObject, type: string): string {
  return stringAt(recordsAt(obj, "status", "addresses").find((a) => stringAt(a, "type") === type), "address") ?? "<none>";
}
