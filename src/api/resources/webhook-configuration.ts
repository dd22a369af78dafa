// What ValidatingWebhookConfiguration and MutatingWebhookConfiguration share (upstream's
// SetDefaults_ValidatingWebhook / _MutatingWebhook and validateWebhook): each webhook's defaults
// (Fail, Equivalent, empty selectors, 10 s, port 443) and checks (a qualified unique name, exactly one
// of url and service, sideEffects, admissionReviewVersions with v1, a timeout of 1-30 s).
import type { KubeObject, ResourceDef } from "../resource.js";
import { duplicate, invalid, required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS } from "../resource.js";
import { defaultRules, FAILURE_POLICIES, validateOneOf, validateRules } from "./admission-rules.js";
import { path, type FieldPath } from "./field-path.js";
import { defaultString, defaultValue, numberAt, recordAt, recordsAt, stringAt, stringsAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

const SIDE_EFFECTS = ["None", "NoneOnDryRun"];
const REINVOCATION_POLICIES = ["Never", "IfNeeded"];
const REVIEW_VERSIONS = ["v1", "v1beta1"];

export function webhookConfigurationResource(kind: "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration"): ResourceDef {
  const mutating = kind === "MutatingWebhookConfiguration";
  const plural = `${kind.toLowerCase()}s`;
  return {
    group: "admissionregistration.k8s.io",
    version: "v1",
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced: false,
    categories: ["api-extensions"],
    verbs: ALL_VERBS,
    defaults: (obj) => recordsAt(obj, "webhooks").forEach((hook) => defaultWebhook(hook, mutating)),
    validate: (obj) => validateWebhooks(obj, mutating),
    table: {
      columns: [nameColumn(), column("Webhooks", "integer", "Webhooks indicates the number of webhooks registered in this configuration"), ageColumn()],
      cells: (obj, now) => [nameOf(obj), recordsAt(obj, "webhooks").length, ageOf(obj, now)],
    },
  };
}

function defaultWebhook(hook: JsonRecord, mutating: boolean): void {
  defaultString(hook, "failurePolicy", "Fail");
  defaultString(hook, "matchPolicy", "Equivalent");
  defaultValue(hook, "namespaceSelector", {});
  defaultValue(hook, "objectSelector", {});
  defaultValue(hook, "timeoutSeconds", 10);
  if (mutating) defaultString(hook, "reinvocationPolicy", "Never");
  defaultRules(recordsAt(hook, "rules"));
  const service = recordAt(hook, "clientConfig", "service");
  if (service) defaultValue(service, "port", 443);
}

function validateWebhooks(obj: KubeObject, mutating: boolean): FieldError[] {
  const names = new Set<string>();
  return recordsAt(obj, "webhooks").flatMap((hook, i) => {
    const at = path("webhooks").index(i);
    const name = stringAt(hook, "name") ?? "";
    const errs = validateWebhook(hook, at, mutating);
    if (names.has(name)) errs.push(duplicate(`${at.child("name")}`, name));
    names.add(name);
    return errs;
  });
}

function validateWebhook(hook: JsonRecord, at: FieldPath, mutating: boolean): FieldError[] {
  const name = stringAt(hook, "name") ?? "";
  const errs: FieldError[] = [];
  if (name === "") errs.push(required(`${at.child("name")}`));
  else if (name.split(".").length < 3) errs.push(invalid(`${at.child("name")}`, name, "should be a domain with at least three segments separated by dots"));
  errs.push(...validateRules(recordsAt(hook, "rules"), at.child("rules")));
  errs.push(...validateOneOf(stringAt(hook, "failurePolicy"), FAILURE_POLICIES, at.child("failurePolicy"), false));
  errs.push(...validateOneOf(stringAt(hook, "sideEffects"), SIDE_EFFECTS, at.child("sideEffects"), true));
  if (mutating) errs.push(...validateOneOf(stringAt(hook, "reinvocationPolicy"), REINVOCATION_POLICIES, at.child("reinvocationPolicy"), false));
  const versions = stringsAt(hook, "admissionReviewVersions");
  if (versions.length === 0) errs.push(required(`${at.child("admissionReviewVersions")}`, "must specify one of v1, v1beta1"));
  else if (!versions.some((v) => REVIEW_VERSIONS.includes(v))) errs.push(invalid(`${at.child("admissionReviewVersions")}`, versions, "must include at least one of v1, v1beta1"));
  const timeout = numberAt(hook, "timeoutSeconds");
  if (timeout !== undefined && (timeout < 1 || timeout > 30)) errs.push(invalid(`${at.child("timeoutSeconds")}`, timeout, "the timeout value must be between 1 and 30 seconds"));
  errs.push(...validateClientConfig(recordAt(hook, "clientConfig"), at.child("clientConfig")));
  return errs;
}

function validateClientConfig(config: JsonRecord | undefined, at: FieldPath): FieldError[] {
  const url = stringAt(config, "url");
  const service = recordAt(config, "service");
  if ((url === undefined) === (service === undefined)) return [required(`${at}`, "exactly one of url or service is required")];
  if (url !== undefined) return validateUrl(url, at.child("url"));
  const errs: FieldError[] = [];
  if (!stringAt(service, "name")) errs.push(required(`${at.child("service", "name")}`, "service name is required"));
  if (!stringAt(service, "namespace")) errs.push(required(`${at.child("service", "namespace")}`, "service namespace is required"));
  const port = numberAt(service, "port");
  if (port !== undefined && (port < 1 || port > 65535)) errs.push(invalid(`${at.child("service", "port")}`, port, "port is not valid: must be between 1 and 65535, inclusive"));
  return errs;
}

/** upstream ValidateWebhookURL: an https URL with a host, no user, query or fragment. */
function validateUrl(text: string, at: FieldPath): FieldError[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [invalid(`${at}`, text, "url must be a valid URL")];
  }
  const errs: FieldError[] = [];
  if (url.protocol !== "https:") errs.push(invalid(`${at}`, text, `'https' is the only allowed URL scheme${url.protocol ? `; "${url.protocol.slice(0, -1)}" is not allowed` : ""}`));
  if (url.hostname === "") errs.push(invalid(`${at}`, text, "host must be specified"));
  if (url.username || url.password) errs.push(invalid(`${at}`, text, "user information is not permitted in the URL"));
  if (url.hash) errs.push(invalid(`${at}`, text, "fragments are not permitted in the URL"));
  if (url.search) errs.push(invalid(`${at}`, text, "query parameters are not permitted in the URL"));
  return errs;
}
