// upstream's CertificateSigningRequest validation (pkg/apis/certificates/validation): the request
// must be a PEM CERTIFICATE REQUEST whose signature verifies, usages are required and known, the
// signer name is a domain and a path, expirationSeconds is at least 600, conditions are well formed
// (Approved and Denied exclusive), and updates neither remove Approved/Denied/Failed conditions
// nor change approval or the issued certificate except through the subresource that owns them.
import { parseCertificateRequest, decodePem } from "../../auth/csr.js";
import { LEGACY_UNKNOWN_SIGNER } from "../../auth/csr-signers.js";
import type { KubeObject, ValidationContext } from "../resource.js";
import { duplicate, forbiddenField, invalid, notSupported, required, tooLong, type FieldError } from "../validation/field-errors.js";
import { DNS1123_SUBDOMAIN_MAX_LENGTH, isDNS1123Label, isDNS1123Subdomain } from "../validation/names.js";
import { numberAt, recordsAt, stringAt, stringsAt, type JsonRecord } from "./object-fields.js";

const KNOWN_USAGES = [
  "signing", "digital signature", "content commitment", "key encipherment", "key agreement", "data encipherment",
  "cert sign", "crl sign", "encipher only", "decipher only", "any", "server auth", "client auth", "code signing",
  "email protection", "s/mime", "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing",
  "microsoft sgc", "netscape sgc",
].sort();
const TRUE_ONLY = new Set(["Approved", "Denied", "Failed"]);
const STATUSES = ["False", "True", "Unknown"];

export function validateCertificateSigningRequest(csr: KubeObject, context: ValidationContext): FieldError[] {
  const errs = [...validateSpec(csr), ...validateConditions(csr)];
  const old = context.old;
  if (old === undefined || stringAt(csr, "status", "certificate") !== stringAt(old, "status", "certificate")) errs.push(...validateCertificate(csr));
  if (old !== undefined) errs.push(...validateUpdate(csr, old, context.subresource));
  return errs;
}

function validateSpec(csr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const request = Buffer.from(stringAt(csr, "spec", "request") ?? "", "base64").toString("utf8");
  try {
    parseCertificateRequest(request).checkSignature();
  } catch (err) {
    errs.push({ type: "FieldValueInvalid", field: "spec.request", detail: (err as Error).message });
  }
  const usages = stringsAt(csr, "spec", "usages");
  if (usages.length === 0) errs.push(required("spec.usages"));
  usages.forEach((usage, i) => {
    if (!KNOWN_USAGES.includes(usage)) errs.push(notSupported(`spec.usages[${i}]`, usage, KNOWN_USAGES));
    if (usages.indexOf(usage) < i) errs.push(duplicate(`spec.usages[${i}]`, usage));
  });
  const signerName = stringAt(csr, "spec", "signerName") ?? "";
  if (signerName === LEGACY_UNKNOWN_SIGNER) errs.push(invalid("spec.signerName", signerName, "the legacy signerName is not allowed via this API version"));
  else errs.push(...validateSignerName("spec.signerName", signerName));
  const expiration = numberAt(csr, "spec", "expirationSeconds");
  if (expiration !== undefined && expiration < 600) errs.push(invalid("spec.expirationSeconds", expiration, "may not specify a duration less than 600 seconds (10 minutes)"));
  return errs;
}

/** upstream ValidateSignerName: `<fully qualified domain>/<path>`. */
export function validateSignerName(field: string, name: string): FieldError[] {
  if (name === "") return [required(field)];
  const segments = name.split("/");
  if (segments.length !== 2) return [invalid(field, name, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain, path] = segments as [string, string];
  const errs: FieldError[] = [];
  if (domain.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(tooLong(field, domain, DNS1123_SUBDOMAIN_MAX_LENGTH));
  const labels = domain.split(".");
  const badLabel = labels.find((label) => isDNS1123Label(label).length > 0);
  if (badLabel !== undefined) errs.push(...isDNS1123Label(badLabel).map((e) => invalid(field, domain, `validating label "${badLabel}": ${e}`)));
  if (labels.length < 2) errs.push(invalid(field, domain, "should be a domain with at least two segments separated by dots"));
  const badPath = path.split(".").find((label) => isDNS1123Subdomain(label).length > 0);
  if (badPath !== undefined) errs.push(...isDNS1123Subdomain(badPath).map((e) => invalid(field, path, `validating label "${badPath}": ${e}`)));
  const maxPath = DNS1123_SUBDOMAIN_MAX_LENGTH - domain.length - 1;
  if (path.length > maxPath) errs.push(tooLong(field, path, maxPath));
  return errs;
}

function validateConditions(csr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  recordsAt(csr, "status", "conditions").forEach((condition, i) => {
    const field = `status.conditions[${i}]`;
    const type = stringAt(condition, "type") ?? "";
    const status = stringAt(condition, "status") ?? "";
    if (type === "") errs.push(required(`${field}.type`));
    const allowed = TRUE_ONLY.has(type) ? ["True"] : STATUSES;
    if (status === "") errs.push(required(`${field}.status`));
    else if (!allowed.includes(status)) errs.push(notSupported(`${field}.status`, status, allowed));
    if ((type === "Approved" && denied) || (type === "Denied" && approved)) errs.push(invalid(`${field}.type`, type, "Approved and Denied conditions are mutually exclusive"));
    approved ||= type === "Approved";
    denied ||= type === "Denied";
    if (seen.has(type)) errs.push(duplicate(`${field}.type`, type));
    seen.add(type);
  });
  return errs;
}

/** status.certificate: PEM CERTIFICATE blocks only, at least one, each parseable. */
function validateCertificate(csr: KubeObject): FieldError[] {
  const encoded = stringAt(csr, "status", "certificate");
  if (encoded === undefined || encoded === "") return [];
  let text = Buffer.from(encoded, "base64").toString("utf8");
  let blocks = 0;
  for (let block = decodePem(text); block; block = decodePem(text)) {
    if (block.type !== "CERTIFICATE") return [invalid("status.certificate", "<certificate data>", `only CERTIFICATE PEM blocks are allowed, found "${block.type}"`)];
    blocks++;
    text = text.slice(text.indexOf(`-----END ${block.type}-----`) + `-----END ${block.type}-----`.length);
  }
  if (blocks === 0) return [invalid("status.certificate", "<certificate data>", "must contain at least one CERTIFICATE PEM block")];
  return [];
}

function validateUpdate(csr: KubeObject, old: KubeObject, subresource: string | undefined): FieldError[] {
  const errs: FieldError[] = [];
  for (const type of ["Approved", "Denied", "Failed"]) {
    if (conditionsOf(csr, type).length < conditionsOf(old, type).length) errs.push(forbiddenField("status.conditions", `updates may not remove a condition of type "${type}"`));
  }
  if (subresource !== "approval") {
    for (const type of ["Approved", "Denied"]) {
      const before = conditionsOf(old, type);
      const after = conditionsOf(csr, type);
      if (after.length > before.length) errs.push(forbiddenField("status.conditions", `updates may not add a condition of type "${type}"`));
      else if (after.length === before.length && JSON.stringify(after) !== JSON.stringify(before)) errs.push(forbiddenField("status.conditions", `updates may not modify a condition of type "${type}"`));
    }
  }
  const certificate = stringAt(csr, "status", "certificate") ?? "";
  const oldCertificate = stringAt(old, "status", "certificate") ?? "";
  if (certificate !== oldCertificate) {
    if (subresource !== "status") errs.push(forbiddenField("status.certificate", "updates may not set certificate content"));
    else if (oldCertificate !== "") errs.push(forbiddenField("status.certificate", "updates may not modify existing certificate content"));
  }
  return errs;
}

function conditionsOf(csr: KubeObject, type: string): JsonRecord[] {
  return recordsAt(csr, "status", "conditions").filter((c) => c.type === type);
}
