// certificates.k8s.io/v1 CertificateSigningRequest (short name csr), cluster-scoped, as upstream's
// strategy: on create the server records who asks (spec.username, uid, groups, extra) and starts
// with an empty status; afterwards the spec never changes. /status writes the issued certificate
// and conditions other than Approved/Denied (kept as they were); /approval writes only the
// conditions (`kubectl certificate approve|deny`). Conditions get their timestamps from the server.
// Printed as NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION.
import { rfc3339 } from "../meta-time.js";
import { ALL_VERBS, type KubeObject, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { validateCertificateSigningRequest } from "./csr-validation.js";
import { humanDuration } from "./duration.js";
import { numberAt, recordAt, recordsAt, stringAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

export function certificateSigningRequestResource(): ResourceDef {
  return {
    group: "certificates.k8s.io",
    version: "v1",
    kind: "CertificateSigningRequest",
    plural: "certificatesigningrequests",
    singular: "certificatesigningrequest",
    namespaced: false,
    shortNames: ["csr"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    nameValidation: "path-segment",
    partialSubresources: { approval: { apply: applyApproval, validate: (desired, old) => validateCertificateSigningRequest(desired, { old, subresource: "approval" }) } },
    prepareForCreate: (csr, request) => {
      const spec = (recordAt(csr, "spec") ?? {}) as JsonRecord;
      for (const field of ["username", "uid", "groups", "extra"]) delete spec[field];
      const user = request?.user;
      if (user) {
        spec.username = user.name;
        if (user.uid) spec.uid = user.uid;
        spec.groups = [...user.groups];
        if (user.extra && Object.keys(user.extra).length > 0) spec.extra = structuredClone(user.extra);
      }
      csr.spec = spec;
    },
    prepareForUpdate: (csr, old, { subresource, now }) => {
      csr.spec = structuredClone(old.spec);
      if (subresource === "status") keepApprovalConditions(csr, old);
      if (subresource === "status" || subresource === "approval") stampConditions(csr, old, now);
    },
    defaults: (csr) => {
      // SetDefaults_CertificateSigningRequestCondition: a condition's status defaults to True.
      for (const condition of recordsAt(csr, "status", "conditions")) if (!condition.status) condition.status = "True";
    },
    validate: validateCertificateSigningRequest,
    fieldSelectors: { "spec.signerName": (csr) => stringAt(csr, "spec", "signerName") ?? "" },
    table: {
      columns: [
        nameColumn(),
        ageColumn(),
        column("SignerName", "string", fieldDoc("certificates.v1.CertificateSigningRequestSpec", "signerName")),
        column("Requestor", "string", fieldDoc("certificates.v1.CertificateSigningRequestSpec", "request")),
        column("RequestedDuration", "string", fieldDoc("certificates.v1.CertificateSigningRequestSpec", "expirationSeconds")),
        column("Condition", "string", fieldDoc("certificates.v1.CertificateSigningRequestStatus", "conditions")),
      ],
      cells: (csr, now) => {
        const expiration = numberAt(csr, "spec", "expirationSeconds");
        return [
          nameOf(csr),
          ageOf(csr, now),
          stringAt(csr, "spec", "signerName") || "<none>",
          stringAt(csr, "spec", "username") ?? "",
          expiration === undefined ? "<none>" : humanDuration(expiration * 1000),
          conditionSummary(csr),
        ];
      },
    },
  };
}

/** The stored request with the conditions of the desired one: all /approval may change. */
function applyApproval(current: KubeObject, desired: KubeObject): KubeObject {
  const next = structuredClone(current);
  const status = (recordAt(next, "status") ?? {}) as JsonRecord;
  const conditions = recordsAt(desired, "status", "conditions");
  if (conditions.length > 0) status.conditions = structuredClone(conditions);
  else delete status.conditions;
  next.status = status;
  return next;
}

/** /status keeps the stored Approved and Denied conditions (adding or removing them fails validation). */
function keepApprovalConditions(csr: KubeObject, old: KubeObject): void {
  const conditions = recordsAt(csr, "status", "conditions");
  const previous = recordsAt(old, "status", "conditions");
  for (const type of ["Approved", "Denied"]) {
    const now = conditions.flatMap((c, i) => (c.type === type ? [i] : []));
    const before = previous.filter((c) => c.type === type);
    if (now.length !== before.length) continue;
    now.forEach((index, i) => (conditions[index] = structuredClone(before[i]!)));
  }
}

/** Missing lastUpdateTime is now; missing lastTransitionTime is the stored one for the same type and status, else now. */
function stampConditions(csr: KubeObject, old: KubeObject, now: Date): void {
  const time = rfc3339(now);
  const previous = recordsAt(old, "status", "conditions");
  for (const condition of recordsAt(csr, "status", "conditions")) {
    condition.lastUpdateTime ||= time;
    if (!condition.lastTransitionTime) {
      const same = previous.find((c) => c.type === condition.type && c.status === condition.status && c.lastTransitionTime);
      condition.lastTransitionTime = same?.lastTransitionTime ?? time;
    }
  }
}

/** upstream's extractCSRStatus: Denied, Approved or Pending, then ",Failed" and ",Issued". */
export function conditionSummary(csr: KubeObject): string {
  const types = new Set(recordsAt(csr, "status", "conditions").map((c) => c.type));
  let summary = types.has("Denied") ? "Denied" : types.has("Approved") ? "Approved" : "Pending";
  if (types.has("Failed")) summary += ",Failed";
  if (stringAt(csr, "status", "certificate")) summary += ",Issued";
  return summary;
}
