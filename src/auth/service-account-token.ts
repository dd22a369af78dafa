// Issuing service-account tokens: JWTs signed with the cluster's service-account key, with the
// claims of upstream's bound tokens (pkg/serviceaccount/claims.go) or, for Secrets of type
// kubernetes.io/service-account-token, upstream's legacy claims (no audience, no expiry).
//
// Bound token: iss, sub = system:serviceaccount:<ns>:<name>, aud, exp, iat, nbf, jti and
// `kubernetes.io: {namespace, serviceaccount: {name, uid}, pod|secret|node: {name, uid}, node?, warnafter?}`.
import { randomUUID } from "node:crypto";
import type { ServiceAccountKey } from "./service-account-key.js";

/** The API server's service-account issuer (upstream's default under kubeadm and k3s). */
export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";
/** Audiences the API server accepts (--api-audiences): the issuer, and kubelite as k3s adds k3s. */
export const API_AUDIENCES: readonly string[] = [SERVICE_ACCOUNT_ISSUER, "kubelite"];
/** Legacy (Secret-based) tokens name this issuer. */
export const LEGACY_ISSUER = "kubernetes/serviceaccount";
export const SERVICE_ACCOUNT_USER_PREFIX = "system:serviceaccount:";

export interface ObjectIdentity {
  name: string;
  uid: string;
}

/** What a bound token is for: the account, and the object whose life it shares, if any. */
export interface BoundTokenRequest {
  namespace: string;
  serviceAccount: ObjectIdentity;
  pod?: ObjectIdentity;
  secret?: ObjectIdentity;
  /** The node a bound pod runs on, or the node the token is bound to. */
  node?: ObjectIdentity;
  audiences: readonly string[];
  expirationSeconds: number;
  /** Extended tokens (upstream's 3607 s pod tokens valid for a year): when clients should have refreshed. */
  warnAfterSeconds?: number;
}

export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectIdentity;
  pod?: ObjectIdentity;
  secret?: ObjectIdentity;
  node?: ObjectIdentity;
  warnafter?: number;
}

export interface BoundClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  "kubernetes.io": KubernetesClaim;
}

/** Upstream's legacy claims: namespaced keys, no expiry, no audience. */
export interface LegacyClaims {
  iss: typeof LEGACY_ISSUER;
  sub: string;
  "kubernetes.io/serviceaccount/namespace": string;
  "kubernetes.io/serviceaccount/secret.name": string;
  "kubernetes.io/serviceaccount/service-account.name": string;
  "kubernetes.io/serviceaccount/service-account.uid": string;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

export class ServiceAccountTokenIssuer {
  constructor(
    private readonly key: ServiceAccountKey,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A bound token and the moment it expires. */
  async issue(request: BoundTokenRequest): Promise<{ token: string; claims: BoundClaims }> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const kubernetes: KubernetesClaim = { namespace: request.namespace, serviceaccount: request.serviceAccount };
    if (request.pod) kubernetes.pod = request.pod;
    if (request.secret) kubernetes.secret = request.secret;
    if (request.node) kubernetes.node = request.node;
    if (request.warnAfterSeconds !== undefined) kubernetes.warnafter = issuedAt + request.warnAfterSeconds;
    const claims: BoundClaims = {
      iss: SERVICE_ACCOUNT_ISSUER,
      sub: serviceAccountUsername(request.namespace, request.serviceAccount.name),
      aud: [...request.audiences],
      exp: issuedAt + request.expirationSeconds,
      iat: issuedAt,
      nbf: issuedAt,
      jti: randomUUID(),
      "kubernetes.io": kubernetes,
    };
    return { token: await this.sign(claims), claims };
  }

  /** A legacy token for a kubernetes.io/service-account-token Secret: valid while the Secret exists. */
  async issueLegacy(namespace: string, serviceAccount: ObjectIdentity, secretName: string): Promise<string> {
    const claims: LegacyClaims = {
      iss: LEGACY_ISSUER,
      sub: serviceAccountUsername(namespace, serviceAccount.name),
      "kubernetes.io/serviceaccount/namespace": namespace,
      "kubernetes.io/serviceaccount/secret.name": secretName,
      "kubernetes.io/serviceaccount/service-account.name": serviceAccount.name,
      "kubernetes.io/serviceaccount/service-account.uid": serviceAccount.uid,
    };
    return this.sign(claims);
  }

  private async sign(claims: BoundClaims | LegacyClaims): Promise<string> {
    // jose loads with the first token, not with the server (start-up time, ADR 0021).
    const { SignJWT } = await import("jose");
    return new SignJWT({ ...claims }).setProtectedHeader({ alg: "ES256", kid: this.key.keyId }).sign(this.key.privateKey);
  }
}
