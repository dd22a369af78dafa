// The signers kubelite's cluster CA signs for, and what each accepts (upstream's
// ValidateKubeletClientCSR / IsKubeletServingCSR and the kube-apiserver-client signer's checks):
// the API, the approving and signing controllers and `kubelite agent` share these facts.
import type { CertificateRequestInfo } from "./csr.js";

export const KUBE_APISERVER_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";
export const KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
export const KUBELET_SERVING_SIGNER = "kubernetes.io/kubelet-serving";
export const LEGACY_UNKNOWN_SIGNER = "kubernetes.io/legacy-unknown";

export const NODES_GROUP = "system:nodes";
export const NODE_USER_PREFIX = "system:node:";

/** Usages a kubelet asks for (key encipherment only matters for RSA keys, so it is optional). */
export const KUBELET_CLIENT_USAGES = ["digital signature", "client auth"];
export const KUBELET_SERVING_USAGES = ["digital signature", "server auth"];
const OPTIONAL_USAGE = "key encipherment";

/** The signers the cluster CA signs for. */
export const SUPPORTED_SIGNERS = [KUBE_APISERVER_CLIENT_SIGNER, KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER];

/** Why the signer refuses this request, or undefined when it may be signed. */
export function signerRefusal(signerName: string, request: CertificateRequestInfo, usages: readonly string[]): string | undefined {
  switch (signerName) {
    case KUBELET_CLIENT_SIGNER:
      return kubeletClientRefusal(request, usages);
    case KUBELET_SERVING_SIGNER:
      return kubeletServingRefusal(request, usages);
    case KUBE_APISERVER_CLIENT_SIGNER:
      if (!usages.includes("client auth")) return "usages did not include \"client auth\"";
      return usagesOutside(usages, ["digital signature", OPTIONAL_USAGE, "client auth"]);
    default:
      return `unsupported signerName ${JSON.stringify(signerName)}`;
  }
}

/** A node's client certificate: CN=system:node:<name>, O=system:nodes, no SANs, client usages. */
export function kubeletClientRefusal(request: CertificateRequestInfo, usages: readonly string[]): string | undefined {
  const subject = nodeSubjectRefusal(request);
  if (subject) return subject;
  if (request.dnsNames.length + request.ipAddresses.length + request.emailAddresses.length + request.uris.length > 0) {
    return "subject alternative names are not allowed in a node client certificate";
  }
  return requiredUsages(usages, KUBELET_CLIENT_USAGES);
}

/** A node's serving certificate: the node's subject, DNS names or IPs (no emails or URIs), server usages. */
export function kubeletServingRefusal(request: CertificateRequestInfo, usages: readonly string[]): string | undefined {
  const subject = nodeSubjectRefusal(request);
  if (subject) return subject;
  if (request.emailAddresses.length + request.uris.length > 0) return "email and URI subject alternative names are not allowed in a node serving certificate";
  if (request.dnsNames.length + request.ipAddresses.length === 0) return "a node serving certificate needs at least one DNS name or IP address";
  return requiredUsages(usages, KUBELET_SERVING_USAGES);
}

function nodeSubjectRefusal(request: CertificateRequestInfo): string | undefined {
  if (request.organizations.length !== 1 || request.organizations[0] !== NODES_GROUP) return `subject organization is not ${NODES_GROUP}`;
  if (!request.commonName.startsWith(NODE_USER_PREFIX) || request.commonName.length === NODE_USER_PREFIX.length) return `subject common name does not begin with ${NODE_USER_PREFIX}`;
  return undefined;
}

function requiredUsages(usages: readonly string[], required: readonly string[]): string | undefined {
  const missing = required.filter((u) => !usages.includes(u));
  if (missing.length > 0) return `usages did not include ${missing.map((u) => JSON.stringify(u)).join(", ")}`;
  return usagesOutside(usages, [...required, OPTIONAL_USAGE]);
}

function usagesOutside(usages: readonly string[], allowed: readonly string[]): string | undefined {
  const extra = usages.filter((u) => !allowed.includes(u));
  return extra.length > 0 ? `usages ${extra.map((u) => JSON.stringify(u)).join(", ")} are not allowed for this signer` : undefined;
}
