// CertificateSigningRequests as the approving and signing controllers read them: the API
// reference, the fields they use, the parsed request, and condition helpers.
import { parseCertificateRequest, type CertificateRequestInfo } from "../../auth/csr.js";
import type { KubeObject } from "../../api/resource.js";
import type { ResourceRef } from "../../client/client.js";

export const CSRS: ResourceRef = { group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests" };

export interface CSRCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface CSR extends KubeObject {
  spec: {
    request: string;
    signerName: string;
    usages?: string[];
    expirationSeconds?: number;
    username?: string;
    groups?: string[];
  };
  status?: { conditions?: CSRCondition[]; certificate?: string };
}

export function hasCondition(csr: CSR, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === "True");
}

/** Approved or denied already: nothing left for an approver. */
export function isDecided(csr: CSR): boolean {
  return hasCondition(csr, "Approved") || hasCondition(csr, "Denied");
}

/** The PKCS#10 request inside spec.request, or undefined when it does not parse (validation refuses those). */
export function requestOf(csr: CSR): CertificateRequestInfo | undefined {
  try {
    return parseCertificateRequest(Buffer.from(csr.spec.request ?? "", "base64").toString("utf8"));
  } catch {
    return undefined;
  }
}

/** The CSR with one more condition, for a PUT on /approval or /status. */
export function withCondition(csr: CSR, condition: CSRCondition): CSR {
  return { ...csr, status: { ...csr.status, conditions: [...(csr.status?.conditions ?? []), condition] } };
}
