// The CSR approving controller (upstream pkg/controller/certificates/approver, "csrapproving"):
// approves the certificate requests of kubelets so that nodes join without an administrator.
//
// - kubernetes.io/kube-apiserver-client-kubelet: a node client certificate (CN=system:node:<name>,
//   O=system:nodes, no SANs, client usages), approved as upstream does: a SubjectAccessReview asks
//   whether the requester may create certificatesigningrequests/selfnodeclient (the node renewing
//   its own: username = CN; bound to system:nodes) or /nodeclient (a new node; bound to
//   system:bootstrappers, the join token's group).
// - kubernetes.io/kubelet-serving: upstream approves none of these (an operator or an external
//   approver does); k3s-style clusters approve them, and so does kubelite, but only when the node
//   itself asks (username = CN, group system:nodes) for its own name and for addresses that are
//   loopback or listed in its Node's status.addresses.
//
// Requests already approved or denied, and any other signer's, are left alone.
import { isIP } from "node:net";
import { StatusError } from "../api/errors.js";
import type { CertificateRequestInfo } from "../auth/csr.js";
import { KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER, NODE_USER_PREFIX, NODES_GROUP, kubeletClientRefusal, kubeletServingRefusal } from "../auth/csr-signers.js";
import { CORE_V1 } from "../client/client.js";
import { defineController, type Controller, type ReconcileResult } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import { CSRS, isDecided, requestOf, withCondition, type CSR } from "./certificates/csr-objects.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";

/** A serving request waiting for its Node's addresses is looked at again this often. */
const NODE_WAIT_MS = 5_000;

export const csrApprovingController: ControllerRegistration = {
  name: "csrapproving",
  component: "certificatesigningrequest-approving-controller",
  create: createCSRApprovingController,
};

const SUBJECT_ACCESS_REVIEWS = { group: "authorization.k8s.io", version: "v1", resource: "subjectaccessreviews" };

type Verdict = { approve: true; message: string } | { approve: false; retryAfterMs?: number };

function createCSRApprovingController(ctx: ControllerContext): Controller {
  const csrs = ctx.informers.informerFor(CSRS);
  const nodes = ctx.informers.informerFor(CORE_V1("nodes"));
  return defineController({
    name: "csrapproving",
    workers: 2,
    clock: ctx.clock,
    logger: ctx.log,
    watches: [{ informer: csrs, keys: (csr) => (isDecided(csr as CSR) ? [] : [csr.metadata?.name ?? ""]) }],
    reads: [nodes],
    reconcile: (key) => approve(ctx, csrs, nodes, key),
  });
}

async function approve(ctx: ControllerContext, csrs: Informer, nodes: Informer, name: string): Promise<ReconcileResult> {
  const csr = csrs.get(name) as CSR | undefined;
  if (!csr || isDecided(csr) || csr.status?.certificate) return;
  const request = requestOf(csr);
  if (!request) return;
  const verdict = await judge(ctx, csr, request, nodes);
  if (!verdict.approve) return verdict.retryAfterMs ? { requeueAfterMs: verdict.retryAfterMs } : undefined;
  const approved = withCondition(csr, { type: "Approved", status: "True", reason: "AutoApproved", message: verdict.message });
  try {
    await ctx.client.update(CSRS, undefined, approved, { subresource: "approval" });
    ctx.log.info("approved certificate signing request", { csr: name, signer: csr.spec.signerName, requestor: csr.spec.username });
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return;
    throw err; // a conflict: the next sync reads the newer object
  }
}

async function judge(ctx: ControllerContext, csr: CSR, request: CertificateRequestInfo, nodes: Informer): Promise<Verdict> {
  const usages = csr.spec.usages ?? [];
  const groups = csr.spec.groups ?? [];
  const self = csr.spec.username === request.commonName;
  if (csr.spec.signerName === KUBELET_CLIENT_SIGNER) {
    if (kubeletClientRefusal(request, usages)) return { approve: false };
    const allowed = (self && (await requesterMay(ctx, csr, "selfnodeclient"))) || (await requesterMay(ctx, csr, "nodeclient"));
    return allowed ? { approve: true, message: "Auto approving kubelet client certificate after SubjectAccessReview." } : { approve: false };
  }
  if (csr.spec.signerName === KUBELET_SERVING_SIGNER) {
    if (kubeletServingRefusal(request, usages) || !self || !groups.includes(NODES_GROUP)) return { approve: false };
    const nodeName = request.commonName.slice(NODE_USER_PREFIX.length);
    if (request.dnsNames.some((dns) => dns !== nodeName)) return { approve: false };
    const addresses = nodeAddresses(nodes, nodeName);
    const unknown = request.ipAddresses.filter((ip) => !isLoopback(ip) && !addresses?.has(ip));
    if (unknown.length > 0) return addresses ? { approve: false } : { approve: false, retryAfterMs: NODE_WAIT_MS };
    return { approve: true, message: "Auto approving kubelet serving certificate: the node asked for its own name and addresses." };
  }
  return { approve: false };
}

/** The Node's addresses, or undefined before the node registered. */
function nodeAddresses(nodes: Informer, name: string): Set<string> | undefined {
  const node = nodes.get(name) as { status?: { addresses?: { address: string }[] } } | undefined;
  return node ? new Set((node.status?.addresses ?? []).map((a) => a.address)) : undefined;
}

function isLoopback(ip: string): boolean {
  return (isIP(ip) === 4 && ip.startsWith("127.")) || ip === "::1";
}

/** Whether the CSR's requester may create certificatesigningrequests/<subresource> (upstream's authorize). */
async function requesterMay(ctx: ControllerContext, csr: CSR, subresource: string): Promise<boolean> {
  const review = await ctx.client.create(SUBJECT_ACCESS_REVIEWS, undefined, {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: {
      user: csr.spec.username,
      groups: csr.spec.groups ?? [],
      resourceAttributes: { group: "certificates.k8s.io", resource: "certificatesigningrequests", verb: "create", subresource },
    },
  });
  return (review as { status?: { allowed?: boolean } }).status?.allowed === true;
}
