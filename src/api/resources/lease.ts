// coordination.k8s.io/v1 Lease: node heartbeats and leader election; duration > 0 and transitions
// ≥ 0 as upstream ValidateLeaseSpec; NAME HOLDER AGE.
import type { KubeObject } from "../resource.js";
import { invalid, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { numberAt, stringAt } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

export function leaseResource(): ResourceDef {
  return {
    group: "coordination.k8s.io",
    version: "v1",
    kind: "Lease",
    plural: "leases",
    singular: "lease",
    namespaced: true,
    verbs: ALL_VERBS,
    validate: validateLease,
    table: {
      columns: [nameColumn(), column("Holder", "string", fieldDoc("coordination.v1.LeaseSpec", "holderIdentity")), ageColumn()],
      cells: (obj, now) => [nameOf(obj), stringAt(obj, "spec", "holderIdentity") ?? "", ageOf(obj, now)],
    },
  };
}

function validateLease(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const duration = numberAt(obj, "spec", "leaseDurationSeconds");
  if (duration !== undefined && duration <= 0) errs.push(invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"));
  const transitions = numberAt(obj, "spec", "leaseTransitions");
  if (transitions !== undefined && transitions < 0) errs.push(invalid("spec.leaseTransitions", transitions, "must be greater than or equal to 0"));
  return errs;
}
