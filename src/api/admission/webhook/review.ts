// The admission.k8s.io/v1 AdmissionReview exchanged with webhooks, and upstream's checks of the
// answer (VerifyAdmissionResponse): the same uid back, a JSONPatch only with patchType, no patch
// from a validating webhook.
import { randomUUID } from "node:crypto";
import { isRecord, stringAt, type JsonRecord } from "../../resources/object-fields.js";
import { admissionReviewRequest, type AdmissionAttributes } from "../attributes.js";

export interface ReviewResult {
  allowed: boolean;
  status?: JsonRecord;
  patch?: unknown;
  warnings: string[];
}

export function admissionReview(attrs: AdmissionAttributes): { uid: string; review: JsonRecord } {
  const uid = randomUUID();
  return { uid, review: { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: admissionReviewRequest(attrs, uid) } };
}

/** The response's verdict, or an Error worded as upstream's "received invalid webhook response" reasons. */
export function verifyResponse(uid: string, mutating: boolean, body: unknown): ReviewResult {
  if (!isRecord(body) || stringAt(body, "apiVersion") !== "admission.k8s.io/v1" || stringAt(body, "kind") !== "AdmissionReview") {
    throw new Error(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${isRecord(body) ? `${stringAt(body, "apiVersion") ?? ""}, Kind=${stringAt(body, "kind") ?? ""}` : "no object"}`);
  }
  const response = body.response;
  if (!isRecord(response)) throw new Error("webhook response was absent");
  if (stringAt(response, "uid") !== uid) throw new Error(`expected response.uid="${uid}", got "${stringAt(response, "uid") ?? ""}"`);
  const patch = stringAt(response, "patch");
  const patchType = stringAt(response, "patchType");
  if (mutating) {
    if (patch !== undefined && patchType === undefined) throw new Error("webhook returned response.patch but not response.patchType");
    if (patch === undefined && patchType !== undefined) throw new Error("webhook returned response.patchType but not response.patch");
    if (patchType !== undefined && patchType !== "JSONPatch") throw new Error(`webhook returned invalid response.patchType of "${patchType}"`);
  } else {
    if (patch !== undefined) throw new Error("validating webhook may not return response.patch");
    if (patchType !== undefined) throw new Error("validating webhook may not return response.patchType");
  }
  const warnings = Array.isArray(response.warnings) ? response.warnings.filter((w): w is string => typeof w === "string") : [];
  return {
    allowed: response.allowed === true,
    status: isRecord(response.status) ? response.status : undefined,
    patch: patch !== undefined ? JSON.parse(Buffer.from(patch, "base64").toString("utf8")) : undefined,
    warnings,
  };
}
