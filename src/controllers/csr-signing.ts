// The CSR signing controller (upstream pkg/controller/certificates/signer, "csrsigning"): signs
// approved requests for kubernetes.io/kube-apiserver-client, kube-apiserver-client-kubelet and
// kubelet-serving with the cluster CA and writes the certificate to status.certificate. A request
// such a signer cannot honour (wrong subject, SANs or usages for it) gets the Failed condition
// with reason SignerValidationFailure instead. Requests for other signers are left alone.
//
// Lifetime: spec.expirationSeconds when given (at least 10 minutes, as the API enforces, and at
// most the default), else the default of one year; never beyond the CA's own expiry.
import { StatusError } from "../api/errors.js";
import type { CertificateContent } from "../auth/certificate-issuer.js";
import { SUPPORTED_SIGNERS, signerRefusal } from "../auth/csr-signers.js";
import { defineController, type Controller, type ReconcileResult } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import { CSRS, hasCondition, requestOf, withCondition, type CSR } from "./certificates/csr-objects.js";
import type { CertificateSigner, ControllerContext, ControllerRegistration } from "./controller-context.js";

const MIN_DURATION_MS = 10 * 60_000;
/** upstream's --cluster-signing-duration default. */
const DEFAULT_DURATION_MS = 365 * 24 * 3600_000;

export const csrSigningController: ControllerRegistration = {
  name: "csrsigning",
  component: "certificatesigningrequest-signing-controller",
  create: createCSRSigningController,
};

function createCSRSigningController(ctx: ControllerContext): Controller {
  const csrs = ctx.informers.informerFor(CSRS);
  return defineController({
    name: "csrsigning",
    workers: 2,
    clock: ctx.clock,
    logger: ctx.log,
    watches: [{ informer: csrs, keys: (csr) => (needsSigning(csr as CSR) ? [csr.metadata?.name ?? ""] : []) }],
    reconcile: (key) => sign(ctx, csrs, key),
  });
}

/** Approved, not denied or failed, no certificate yet, and for a signer of ours. */
function needsSigning(csr: CSR): boolean {
  if (!hasCondition(csr, "Approved") || hasCondition(csr, "Denied") || hasCondition(csr, "Failed")) return false;
  return !csr.status?.certificate && SUPPORTED_SIGNERS.includes(csr.spec.signerName);
}

async function sign(ctx: ControllerContext, csrs: Informer, name: string): Promise<ReconcileResult> {
  const csr = csrs.get(name) as CSR | undefined;
  if (!csr || !needsSigning(csr)) return;
  if (!ctx.signer) {
    ctx.log.warn("no cluster CA signer is configured: approved certificate signing requests stay unsigned", { csr: name });
    return;
  }
  const result = await certificateFor(ctx.signer, csr);
  const next: CSR =
    "refusal" in result
      ? withCondition(csr, { type: "Failed", status: "True", reason: "SignerValidationFailure", message: result.refusal })
      : { ...csr, status: { ...csr.status, certificate: Buffer.from(result.certPem).toString("base64") } };
  try {
    await ctx.client.update(CSRS, undefined, next, { subresource: "status" });
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return;
    throw err;
  }
  if ("refusal" in result) ctx.log.info("certificate signing request failed validation", { csr: name, reason: result.refusal });
  else ctx.log.info("signed certificate signing request", { csr: name, signer: csr.spec.signerName });
}

async function certificateFor(signer: CertificateSigner, csr: CSR): Promise<{ certPem: string } | { refusal: string }> {
  const request = requestOf(csr);
  if (!request) return { refusal: "spec.request is not a valid certificate request" };
  const usages = csr.spec.usages ?? [];
  const refusal = signerRefusal(csr.spec.signerName, request, usages);
  if (refusal) return { refusal };
  const content: CertificateContent = {
    commonName: request.commonName,
    organizations: request.organizations,
    dnsNames: request.dnsNames,
    ips: request.ipAddresses,
    keyUsages: usages.filter((u): u is "digital signature" | "key encipherment" => u === "digital signature" || u === "key encipherment"),
    extendedUsages: usages.filter((u): u is "client auth" | "server auth" => u === "client auth" || u === "server auth"),
    validityMs: lifetimeMs(csr.spec.expirationSeconds),
    publicKey: request.publicKeyDer,
  };
  return { certPem: await signer.sign(content) };
}

function lifetimeMs(expirationSeconds: number | undefined): number {
  if (expirationSeconds === undefined) return DEFAULT_DURATION_MS;
  return Math.min(Math.max(expirationSeconds * 1000, MIN_DURATION_MS), DEFAULT_DURATION_MS);
}
