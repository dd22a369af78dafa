// apiextensions.k8s.io/v1 CustomResourceDefinition: crd/crds, category api-extensions, cluster-scoped,
// status subresource; SetDefaults_CustomResourceDefinition (singular, listKind, conversion None,
// storedVersions); the core structural rules (name = plural.group, a dotted group, scope, names,
// exactly one storage version, schemas required); upstream has no printer (NAME CREATED AT).
import type { KubeObject, ValidationContext } from "../resource.js";
import { invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { isDNS1035Label, isDNS1123Subdomain } from "../validation/names.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { path, type FieldPath } from "./field-path.js";
import { defaultString, defaultValue, ensureRecord, recordAt, recordsAt, stringAt, stringsAt, type JsonRecord } from "./object-fields.js";

export function customResourceDefinitionResource(): ResourceDef {
  return {
    group: "apiextensions.k8s.io",
    version: "v1",
    kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions",
    singular: "customresourcedefinition",
    namespaced: false,
    shortNames: ["crd", "crds"],
    categories: ["api-extensions"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    defaults: defaultCRD,
    validate: (obj, context: ValidationContext) => (context.subresource === "status" ? [] : validateCRD(obj)),
  };
}

function defaultCRD(obj: KubeObject): void {
  const spec = ensureRecord(obj, "spec");
  const names = ensureRecord(spec, "names");
  const kind = stringAt(names, "kind") ?? "";
  defaultString(names, "singular", kind.toLowerCase());
  if (kind) defaultString(names, "listKind", `${kind}List`);
  defaultValue(spec, "conversion", { strategy: "None" });
  const webhookService = recordAt(spec, "conversion", "webhook", "clientConfig", "service");
  if (webhookService) defaultValue(webhookService, "port", 443);
  const status = ensureRecord(obj, "status");
  if (stringsAt(status, "storedVersions").length === 0) {
    const storage = recordsAt(spec, "versions").find((v) => v.storage === true);
    if (storage) status.storedVersions = [stringAt(storage, "name") ?? ""];
  }
}

function validateCRD(obj: KubeObject): FieldError[] {
  const spec = recordAt(obj, "spec") ?? {};
  const group = stringAt(spec, "group") ?? "";
  const plural = stringAt(spec, "names", "plural") ?? "";
  const errs: FieldError[] = [];
  if (obj.metadata?.name !== `${plural}.${group}`) errs.push(invalid("metadata.name", obj.metadata?.name ?? "", 'must be spec.names.plural+"."+spec.group'));
  const p = path("spec");
  if (group === "") errs.push(required(`${p.child("group")}`));
  else if (isDNS1123Subdomain(group).length > 0) errs.push(invalid(`${p.child("group")}`, group, isDNS1123Subdomain(group).join(",")));
  else if (group.split(".").length < 2) errs.push(invalid(`${p.child("group")}`, group, "should be a domain with at least one dot"));
  const scope = stringAt(spec, "scope") ?? "";
  if (scope === "") errs.push(required(`${p.child("scope")}`));
  else if (scope !== "Cluster" && scope !== "Namespaced") errs.push(notSupported(`${p.child("scope")}`, scope, ["Cluster", "Namespaced"]));
  errs.push(...validateNames(recordAt(spec, "names") ?? {}, p.child("names")));
  errs.push(...validateVersions(recordsAt(spec, "versions"), p.child("versions")));
  return errs;
}

function validateNames(names: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ["plural", "singular", "kind", "listKind"]) {
    const value = stringAt(names, field) ?? "";
    if (value === "") {
      if (field !== "singular") errs.push(required(`${p.child(field)}`));
      continue;
    }
    if ((field === "plural" || field === "singular") && isDNS1035Label(value).length > 0) errs.push(invalid(`${p.child(field)}`, value, isDNS1035Label(value).join(",")));
    if ((field === "kind" || field === "listKind") && isDNS1035Label(value.toLowerCase()).length > 0) errs.push(invalid(`${p.child(field)}`, value, isDNS1035Label(value.toLowerCase()).join(",")));
  }
  return errs;
}

function validateVersions(versions: JsonRecord[], p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (versions.filter((v) => v.storage === true).length !== 1) errs.push(invalid(`${p}`, versions, "must have exactly one version marked as storage version"));
  const seen = new Set<string>();
  versions.forEach((version, i) => {
    const name = stringAt(version, "name") ?? "";
    const at = p.index(i);
    errs.push(...isDNS1035Label(name).map((msg) => invalid(`${at.child("name")}`, name, msg)));
    if (seen.has(name)) errs.push(invalid(`${at.child("name")}`, name, "must be unique"));
    seen.add(name);
    if (!recordAt(version, "schema", "openAPIV3Schema")) errs.push(required(`${at.child("schema", "openAPIV3Schema")}`, "schemas are required"));
  });
  return errs;
}
