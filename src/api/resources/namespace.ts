// core/v1 Namespace: ns, cluster-scoped, no deletecollection, status subresource; the
// kubernetes.io/metadata.name label and status.phase Active defaults; on create only (upstream
// PrepareForCreate) the "kubernetes" finalizer the namespace controller removes when it is done;
// finalizer names validated; the NAME STATUS AGE printer and status.phase field selector.
import type { KubeObject, ValidationContext } from "../resource.js";
import { invalid, type FieldError } from "../validation/field-errors.js";
import { isQualifiedName } from "../validation/names.js";
import type { ResourceDef } from "../resource.js";
import { defaultString, ensureRecord, stringAt, stringsAt } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";
import { stringField } from "./selectable-fields.js";

const NAME_LABEL = "kubernetes.io/metadata.name";
const KUBERNETES_FINALIZER = "kubernetes";
const STANDARD_FINALIZERS = new Set(["kubernetes", "orphan", "foregroundDeletion"]);

export function namespaceResource(): ResourceDef {
  return {
    group: "",
    version: "v1",
    kind: "Namespace",
    plural: "namespaces",
    singular: "namespace",
    namespaced: false,
    shortNames: ["ns"],
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    statusSubresource: true,
    nameValidation: "label",
    defaults: defaultNamespace,
    prepareForCreate: (obj) => {
      obj.status = { phase: "Active" };
      const spec = ensureRecord(obj, "spec");
      const finalizers = stringsAt(spec, "finalizers");
      if (!finalizers.includes(KUBERNETES_FINALIZER)) spec.finalizers = [...finalizers, KUBERNETES_FINALIZER];
    },
    validate: validateNamespace,
    table: {
      columns: [nameColumn(), column("Status", "string", "The status of the namespace"), ageColumn()],
      cells: (obj, now) => [nameOf(obj), stringAt(obj, "status", "phase") ?? "", ageOf(obj, now)],
    },
    fieldSelectors: { "status.phase": stringField("status", "phase") },
  };
}

/** SetDefaults_Namespace (the name label, also kept in sync by upstream's Canonicalize) and SetDefaults_NamespaceStatus. */
function defaultNamespace(obj: KubeObject): void {
  const name = obj.metadata?.name;
  // Set only when it differs: a stored namespace's labels may be shared, frozen, by a later write.
  if (name && obj.metadata?.labels?.[NAME_LABEL] !== name) {
    const meta = (obj.metadata ??= {});
    meta.labels = { ...(meta.labels ?? {}), [NAME_LABEL]: name };
  }
  defaultString(ensureRecord(obj, "status"), "phase", "Active");
}

function validateNamespace(obj: KubeObject, context: ValidationContext): FieldError[] {
  if (context.subresource === "status") return [];
  return stringsAt(obj, "spec", "finalizers").flatMap((finalizer) => {
    const errs = isQualifiedName(finalizer).map((msg) => invalid("spec.finalizers", finalizer, msg));
    if (!finalizer.includes("/") && !STANDARD_FINALIZERS.has(finalizer)) errs.push(invalid("spec.finalizers", finalizer, "name is neither a standard finalizer name nor is it fully qualified"));
    return errs;
  });
}
