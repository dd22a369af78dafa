// serviceaccounts/<name>/token: the TokenRequest API (authentication.k8s.io/v1, upstream
// pkg/registry/core/serviceaccount/storage/token.go). Issues a bound token for the account:
// expirationSeconds defaults to 3600 and must be within [600 s, 2^32 s]; audiences default to the
// API server's; boundObjectRef may name a Pod, Secret or Node (apiVersion v1) that exists, with
// the uid given if any; a token bound to a pod also names the pod's node. As upstream
// (--service-account-extend-token-expiration), a pod-bound token asked for 3607 s, the kubelet's
// default, is valid for a year and says when it should have been refreshed (warnafter).
import { decodeObject, readBody } from "../body.js";
import { badRequest, conflict, StatusError } from "../errors.js";
import type { RequestContext } from "../request-context.js";
import type { KubeObject, ResourceDef } from "../resource.js";
import { rfc3339 } from "../meta-time.js";
import { writeJson, writeWarnings } from "../respond.js";
import { invalid, invalidObject } from "../validation/field-errors.js";
import type { BoundTokenRequest, ObjectIdentity } from "../../auth/service-account-token.js";
import { API_AUDIENCES } from "../../auth/service-account-token.js";
import type { ApiContext } from "./api-context.js";
import type { HttpExchange } from "./resource-handlers.js";

const GROUP = "authentication.k8s.io";
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
/** The kubelet's projected-token default, which upstream extends to a year for pods. */
export const EXTENDABLE_EXPIRATION_SECONDS = 3607;
const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 60 * 60;

interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

interface TokenRequestSpec {
  audiences?: string[] | null;
  expirationSeconds?: number | null;
  boundObjectRef?: BoundObjectReference | null;
}

export async function serveTokenRequest(api: ApiContext, def: ResourceDef, namespace: string | undefined, name: string, http: HttpExchange): Promise<void> {
  const body = await decodeObject(await readBody(http.req), http.req.headers["content-type"]);
  const result = await requestToken(api, def, namespace ?? "", name, body, http.ctx);
  writeWarnings(http.res, http.ctx.warnings);
  writeJson(http.res, 201, result);
}

/** Issues a token for ServiceAccount namespace/name as `body` (a TokenRequest) asks. */
export async function requestToken(api: ApiContext, def: ResourceDef, namespace: string, name: string, body: KubeObject, ctx: RequestContext): Promise<KubeObject> {
  const issuer = api.serviceAccountTokens;
  if (!issuer) throw new StatusError(503, "ServiceUnavailable", "this server issues no service-account tokens");
  if (body.kind && body.kind !== "TokenRequest") throw badRequest(`serviceaccounts/token takes a TokenRequest, not a ${body.kind}`);
  if (body.metadata?.name && body.metadata.name !== name) throw badRequest(`the TokenRequest is named ${body.metadata.name}, but the URL names service account ${name}`);
  const spec = { ...((body.spec ?? {}) as TokenRequestSpec) };
  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) throw invalidObject("TokenRequest", GROUP, name, [invalid("spec.expirationSeconds", expirationSeconds, "may not specify a duration less than 10 minutes")]);
  if (expirationSeconds > MAX_EXPIRATION_SECONDS) throw invalidObject("TokenRequest", GROUP, name, [invalid("spec.expirationSeconds", expirationSeconds, "may not specify a duration larger than 2^32 seconds")]);
  const audiences = spec.audiences?.length ? spec.audiences : [...API_AUDIENCES];

  const account = await api.registry.get(def, namespace, name);
  const request: BoundTokenRequest = { namespace, serviceAccount: identity(account), audiences, expirationSeconds };
  if (spec.boundObjectRef) await bindTo(api, namespace, spec.boundObjectRef, request);
  const tokenRequest: KubeObject = {
    apiVersion: `${GROUP}/v1`,
    kind: "TokenRequest",
    metadata: { name, namespace },
    spec: { audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: {},
  };
  // Admission sees the request (upstream's NodeRestriction checks node-requested tokens here).
  await api.registry.admission.validate({ operation: "CREATE", def, subresource: "token", namespace, name, object: tokenRequest, ctx });
  if (request.pod && expirationSeconds === EXTENDABLE_EXPIRATION_SECONDS && audiences.every((a) => API_AUDIENCES.includes(a))) {
    request.warnAfterSeconds = expirationSeconds;
    request.expirationSeconds = EXTENDED_EXPIRATION_SECONDS;
  }
  const { token, claims } = await issuer.issue(request);
  // The status tells the requested lifetime, as upstream: clients refresh on that schedule.
  tokenRequest.status = { token, expirationTimestamp: rfc3339((claims.iat + expirationSeconds) * 1000) };
  return tokenRequest;
}

/** Checks the bound object and records it (and a bound pod's node) in the request. */
async function bindTo(api: ApiContext, namespace: string, ref: BoundObjectReference, request: BoundTokenRequest): Promise<void> {
  const kind = ref.kind ?? "";
  if (ref.apiVersion !== "v1" || !["Pod", "Secret", "Node"].includes(kind)) {
    throw badRequest(`cannot bind token to object of type ${ref.apiVersion ?? ""}, Kind=${kind}`);
  }
  if (!ref.name) throw badRequest("spec.boundObjectRef.name is required");
  const resource = kind === "Pod" ? "pods" : kind === "Secret" ? "secrets" : "nodes";
  const def = api.discovery.find("", "v1", resource)!;
  const object = await api.registry.get(def, kind === "Node" ? undefined : namespace, ref.name);
  const bound = identity(object);
  if (ref.uid && ref.uid !== bound.uid) {
    throw conflict(kind, "", ref.name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  if (kind === "Pod") {
    request.pod = bound;
    const nodeName = (object.spec as { nodeName?: string } | undefined)?.nodeName;
    const node = nodeName ? await api.registry.get(api.discovery.find("", "v1", "nodes")!, undefined, nodeName).catch(() => undefined) : undefined;
    if (node) request.node = identity(node);
  } else if (kind === "Secret") {
    request.secret = bound;
  } else {
    request.node = bound;
  }
}

function identity(object: KubeObject): ObjectIdentity {
  return { name: object.metadata?.name ?? "", uid: object.metadata?.uid ?? "" };
}
