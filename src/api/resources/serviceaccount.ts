// core/v1 ServiceAccount: sa; NAME SECRETS AGE.
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { arrayAt } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

export function serviceAccountResource(): ResourceDef {
  return {
    group: "",
    version: "v1",
    kind: "ServiceAccount",
    plural: "serviceaccounts",
    singular: "serviceaccount",
    namespaced: true,
    shortNames: ["sa"],
    verbs: ALL_VERBS,
    table: {
      columns: [nameColumn(), column("Secrets", "string", fieldDoc("core.v1.ServiceAccount", "secrets")), ageColumn()],
      cells: (obj, now) => [nameOf(obj), (arrayAt(obj, "secrets") ?? []).length, ageOf(obj, now)],
    },
  };
}
