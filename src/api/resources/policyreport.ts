// wgpolicyk8s.io/v1alpha2 PolicyReport (polr, namespaced): the results of audit-mode policies for one
// resource, as Kyverno writes them; kubelite's Kyverno engine (ADR 0018) fills them at admission.
// Upstream serves the kind from a CRD, so it is kept as written. Columns as the CRD prints them:
// NAME KIND NAME PASS FAIL WARN ERROR SKIP AGE.
import type { ResourceDef } from "../resource.js";
import { ALL_VERBS } from "../resource.js";
import { numberAt, stringAt } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

export function policyReportResource(): ResourceDef {
  const count = (key: string, what: string) => column(key.toUpperCase(), "integer", `Number of ${what} results.`);
  return {
    group: "wgpolicyk8s.io",
    version: "v1alpha2",
    kind: "PolicyReport",
    plural: "policyreports",
    singular: "policyreport",
    namespaced: true,
    shortNames: ["polr"],
    verbs: ALL_VERBS,
    table: {
      columns: [nameColumn(), column("KIND", "string", "The kind of the resource reported on."), column("NAME", "string", "The name of the resource reported on."), count("pass", "passing"), count("fail", "failing"), count("warn", "warning"), count("error", "erroring"), count("skip", "skipped"), ageColumn()],
      cells: (obj, now) => [
        nameOf(obj),
        stringAt(obj, "scope", "kind") ?? "",
        stringAt(obj, "scope", "name") ?? "",
        ...["pass", "fail", "warn", "error", "skip"].map((key) => numberAt(obj, "summary", key) ?? 0),
        ageOf(obj, now),
      ],
    },
  };
}
