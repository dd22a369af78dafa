// PodSpec and PodTemplateSpec validation shared by Pods and every workload template, after
// upstream core ValidatePodSpec (v1.32): volumes, containers (container-validation.ts),
// restart and DNS policies, node selection, tolerations and deadlines, with upstream's messages.
import { duplicate, invalid, notSupported, required, forbiddenField, type FieldError } from "../validation/field-errors.js";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from "../validation/names.js";
import { validateContainers } from "./container-validation.js";
import type { FieldPath } from "./field-path.js";
import { inclusiveRangeError } from "./formats.js";
import { validateLabelMap } from "../label-selector.js";
import { isRecord, numberAt, recordAt, recordsAt, stringAt, stringMapAt, stringsAt, type JsonRecord } from "./object-fields.js";

export const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const MAX_INT32 = 2147483647;

/** A pod template: its labels and its spec. */
export function validatePodTemplateSpec(template: unknown, p: FieldPath): FieldError[] {
  if (!isRecord(template)) return [required(`${p}`)];
  return [
    ...validateLabelMap(stringMapAt(template, "metadata", "labels") ?? {}, `${p.child("metadata", "labels")}`),
    ...validatePodSpec(template.spec, p.child("spec")),
  ];
}

export function validatePodSpec(specValue: unknown, p: FieldPath): FieldError[] {
  const spec: JsonRecord = isRecord(specValue) ? specValue : {};
  const volumes = new Set<string>();
  const containerNames = new Set<string>();
  const containers = recordsAt(spec, "containers");
  return [
    ...validateVolumes(recordsAt(spec, "volumes"), volumes, p.child("volumes")),
    ...(containers.length === 0 ? [required(`${p.child("containers")}`)] : validateContainers(containers, { kind: "containers", names: containerNames, volumes }, p.child("containers"))),
    ...validateContainers(recordsAt(spec, "initContainers"), { kind: "initContainers", names: containerNames, volumes }, p.child("initContainers")),
    ...validateRestartPolicy(spec.restartPolicy, p.child("restartPolicy")),
    ...validateDNSPolicy(spec, p),
    ...validateLabelMap(stringMapAt(spec, "nodeSelector") ?? {}, `${p.child("nodeSelector")}`),
    ...validateNames(spec, p),
    ...validateTolerations(recordsAt(spec, "tolerations"), p.child("tolerations")),
    ...validateActiveDeadline(spec.activeDeadlineSeconds, p.child("activeDeadlineSeconds")),
  ];
}

function validateVolumes(volumes: JsonRecord[], names: Set<string>, p: FieldPath): FieldError[] {
  return volumes.flatMap((volume, i) => {
    const at = p.index(i);
    const name = stringAt(volume, "name") ?? "";
    const errs: FieldError[] = [];
    if (name === "") errs.push(required(`${at.child("name")}`));
    else errs.push(...isDNS1123Label(name).map((msg) => invalid(`${at.child("name")}`, name, msg)));
    if (names.has(name)) errs.push(duplicate(`${at.child("name")}`, name));
    else names.add(name);
    const sources = Object.keys(volume).filter((k) => k !== "name" && isRecord(volume[k]));
    if (sources.length === 0) errs.push(required(`${at}`, "must specify a volume type"));
    if (sources.length > 1) errs.push(forbiddenField(`${at.child(sources[1] ?? "")}`, "may not specify more than 1 volume type"));
    return errs;
  });
}

/** upstream validateRestartPolicy. */
export function validateRestartPolicy(policy: unknown, p: FieldPath): FieldError[] {
  if (policy === undefined || policy === "") return [required(`${p}`)];
  return RESTART_POLICIES.includes(String(policy)) ? [] : [notSupported(`${p}`, policy, RESTART_POLICIES)];
}

function validateDNSPolicy(spec: JsonRecord, p: FieldPath): FieldError[] {
  const policy = spec.dnsPolicy;
  if (policy === undefined || policy === "") return [required(`${p.child("dnsPolicy")}`)];
  if (!DNS_POLICIES.includes(String(policy))) return [notSupported(`${p.child("dnsPolicy")}`, policy, DNS_POLICIES)];
  if (policy !== "None") return [];
  const dnsConfig = recordAt(spec, "dnsConfig");
  if (!dnsConfig) return [required(`${p.child("dnsConfig")}`, "must provide `dnsConfig` when `dnsPolicy` is None")];
  if (stringsAt(dnsConfig, "nameservers").length === 0) return [required(`${p.child("dnsConfig", "nameservers")}`, "must provide at least one DNS nameserver when `dnsPolicy` is None")];
  return [];
}

function validateNames(spec: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ["serviceAccountName", "nodeName"]) {
    const value = stringAt(spec, field);
    if (value) errs.push(...isDNS1123Subdomain(value).map((msg) => invalid(`${p.child(field)}`, value, msg)));
  }
  for (const field of ["hostname", "subdomain"]) {
    const value = stringAt(spec, field);
    if (value) errs.push(...isDNS1123Label(value).map((msg) => invalid(`${p.child(field)}`, value, msg)));
  }
  return errs;
}

/** upstream validateTolerations. */
export function validateTolerations(tolerations: JsonRecord[], p: FieldPath): FieldError[] {
  return tolerations.flatMap((toleration, i) => validateToleration(toleration, p.index(i)));
}

function validateToleration(toleration: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const key = stringAt(toleration, "key") ?? "";
  const operator = stringAt(toleration, "operator") ?? "";
  const value = stringAt(toleration, "value") ?? "";
  const effect = stringAt(toleration, "effect") ?? "";
  if (key) errs.push(...isQualifiedName(key).map((msg) => invalid(`${p.child("key")}`, key, msg)));
  if (!key && operator !== "Exists") errs.push(invalid(`${p.child("operator")}`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
  if (numberAt(toleration, "tolerationSeconds") !== undefined && effect !== "NoExecute") {
    errs.push(invalid(`${p.child("effect")}`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
  }
  if (operator === "" || operator === "Equal") {
    const msgs = isValidLabelValue(value);
    if (msgs.length > 0) errs.push(invalid(`${p.child("operator")}`, value, msgs.join(";")));
  } else if (operator === "Exists") {
    if (value) errs.push(invalid(`${p.child("operator")}`, toleration, "value must be empty when `operator` is 'Exists'"));
  } else {
    errs.push(notSupported(`${p.child("operator")}`, operator, ["Equal", "Exists"]));
  }
  if (effect) errs.push(...validateTaintEffect(effect, p.child("effect")));
  return errs;
}

export function validateTaintEffect(effect: string, p: FieldPath): FieldError[] {
  if (effect === "") return [required(`${p}`)];
  return TAINT_EFFECTS.includes(effect) ? [] : [notSupported(`${p}`, effect, TAINT_EFFECTS)];
}

function validateActiveDeadline(value: unknown, p: FieldPath): FieldError[] {
  if (typeof value !== "number") return [];
  return value < 1 || value > MAX_INT32 ? [invalid(`${p}`, value, inclusiveRangeError(1, MAX_INT32))] : [];
}
