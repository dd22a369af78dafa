// The service-account token authenticator (upstream pkg/serviceaccount/jwt.go and validator.go):
// a bearer token that is a JWT signed with the cluster's service-account key authenticates as
// system:serviceaccount:<ns>:<name> (groups system:serviceaccounts, system:serviceaccounts:<ns>)
// while it is unexpired, is meant for this API server (audience), and the account, and the object
// it is bound to, still exist with the uids the token names. Legacy tokens (issuer
// kubernetes/serviceaccount) need their Secret to still exist and still hold that very token.
//
// Objects are read from the watch cache (no store reads on the request path); only a miss waits
// for the cache to catch up, so an account created a moment ago is found. A rejected token is
// logged with its reason here and answered 401 "Unauthorized" without detail, as upstream does.
import { timingSafeEqual } from "node:crypto";
import type { JWTPayload } from "jose";
import type { KubeObject } from "../api/resource.js";
import type { Logger } from "../log.js";
import type { TokenAuthenticator, UserInfo } from "./authenticate.js";
import type { ServiceAccountKey } from "./service-account-key.js";
import {
  API_AUDIENCES, LEGACY_ISSUER, SERVICE_ACCOUNT_ISSUER, serviceAccountUsername,
  type BoundClaims, type LegacyClaims, type ObjectIdentity,
} from "./service-account-token.js";

export const SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";
/** Upstream's leeway for clock skew on exp/nbf/iat. */
const CLOCK_LEEWAY_SECONDS = 60;
export const SECRET_TYPE_SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token";

export type LookupResource = "serviceaccounts" | "secrets" | "pods" | "nodes";

/** Reads current objects (the watch cache); undefined when absent. */
export interface ObjectLookup {
  get(resource: LookupResource, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
}

export interface ServiceAccountAuthenticatorOptions {
  key: ServiceAccountKey;
  objects: ObjectLookup;
  log: Logger;
  now?: () => Date;
  audiences?: readonly string[];
}

/** Why a token of ours was refused: logged, never sent to the client. */
class TokenRejected extends Error {}

export class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  readonly #options: ServiceAccountAuthenticatorOptions;

  constructor(options: ServiceAccountAuthenticatorOptions) {
    this.#options = options;
  }

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    if (!looksLikeJwt(token)) return undefined;
    // jose loads with the first token, not with the server (start-up time, ADR 0021).
    const { errors: joseErrors, jwtVerify } = await import("jose");
    try {
      const payload = await this.verify(jwtVerify, token);
      return payload.iss === LEGACY_ISSUER ? await this.legacyUser(token, payload as unknown as LegacyClaims) : await this.boundUser(payload as unknown as BoundClaims);
    } catch (err) {
      if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid) {
        this.#options.log.warn("Unable to authenticate the request: the service-account token's signature is invalid (forged, or signed by another cluster)");
        return undefined;
      }
      if (err instanceof joseErrors.JWTExpired) {
        const exp = typeof err.payload.exp === "number" ? new Date(err.payload.exp * 1000).toISOString() : "an unknown time";
        this.#options.log.warn(`Unable to authenticate the request: the service-account token of ${String(err.payload.sub)} expired at ${exp}`);
        return undefined;
      }
      if (err instanceof joseErrors.JOSEError || err instanceof TokenRejected) {
        this.#options.log.warn(`Unable to authenticate the request: invalid service-account token: ${err.message}`);
        return undefined;
      }
      throw err;
    }
  }

  private async verify(jwtVerify: typeof import("jose").jwtVerify, token: string): Promise<JWTPayload> {
    const { key, now } = this.#options;
    const { payload } = await jwtVerify(token, key.publicKey, {
      algorithms: ["ES256"],
      issuer: [SERVICE_ACCOUNT_ISSUER, LEGACY_ISSUER],
      clockTolerance: CLOCK_LEEWAY_SECONDS,
      currentDate: now?.(),
    });
    return payload;
  }

  private async boundUser(claims: BoundClaims): Promise<UserInfo> {
    const audiences = this.#options.audiences ?? API_AUDIENCES;
    if (typeof claims.exp !== "number") throw new TokenRejected("the token has no expiry");
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => audiences.includes(a))) throw new TokenRejected(`token audiences ${JSON.stringify(aud)} are invalid for the target audiences ${JSON.stringify(audiences)}`);
    const k8s = claims["kubernetes.io"];
    if (!k8s?.namespace || !k8s.serviceaccount?.name) throw new TokenRejected("the token has no kubernetes.io claims");
    const namespace = k8s.namespace;
    const account = await this.existing("serviceaccounts", namespace, k8s.serviceaccount, "service account");
    const extra: Record<string, string[]> = {};
    if (k8s.secret) await this.existing("secrets", namespace, k8s.secret, "secret");
    if (k8s.pod) {
      await this.existing("pods", namespace, k8s.pod, "pod");
      extra["authentication.kubernetes.io/pod-name"] = [k8s.pod.name];
      extra["authentication.kubernetes.io/pod-uid"] = [k8s.pod.uid];
    }
    if (k8s.node) {
      // A pod's node is informative; a token bound to a node lives only as long as the node.
      if (!k8s.pod) await this.existing("nodes", undefined, k8s.node, "node");
      extra["authentication.kubernetes.io/node-name"] = [k8s.node.name];
      extra["authentication.kubernetes.io/node-uid"] = [k8s.node.uid];
    }
    if (claims.jti) extra["authentication.kubernetes.io/credential-id"] = [`JTI=${claims.jti}`];
    return serviceAccountUser(namespace, k8s.serviceaccount.name, account.metadata?.uid, extra);
  }

  private async legacyUser(token: string, claims: LegacyClaims): Promise<UserInfo> {
    const namespace = claims["kubernetes.io/serviceaccount/namespace"];
    const secretName = claims["kubernetes.io/serviceaccount/secret.name"];
    const name = claims["kubernetes.io/serviceaccount/service-account.name"];
    const uid = claims["kubernetes.io/serviceaccount/service-account.uid"];
    if (!namespace || !secretName || !name || !uid) throw new TokenRejected("the legacy token lacks its kubernetes.io/serviceaccount claims");
    const secret = await this.#options.objects.get("secrets", namespace, secretName);
    if (!secret || secret.metadata?.deletionTimestamp) throw new TokenRejected(`secret ${namespace}/${secretName} has been deleted`);
    const stored = Buffer.from(String((secret.data as Record<string, unknown> | undefined)?.token ?? ""), "base64");
    const presented = Buffer.from(token, "utf8");
    if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) throw new TokenRejected(`the token does not match the one in secret ${namespace}/${secretName}`);
    await this.existing("serviceaccounts", namespace, { name, uid }, "service account");
    return serviceAccountUser(namespace, name, uid, {});
  }

  /** The object the token names, which must exist, not be deleting, and have the same uid. */
  private async existing(resource: LookupResource, namespace: string | undefined, claim: ObjectIdentity, what: string): Promise<KubeObject> {
    const where = namespace ? `${namespace}/${claim.name}` : claim.name;
    const found = await this.#options.objects.get(resource, namespace, claim.name);
    if (!found) throw new TokenRejected(`${what} ${where} has been deleted`);
    if (found.metadata?.uid !== claim.uid) throw new TokenRejected(`${what} ${where} UID (${found.metadata?.uid ?? ""}) does not match claim (${claim.uid})`);
    const deleting = found.metadata?.deletionTimestamp;
    if (deleting && Date.parse(deleting) <= (this.#options.now?.() ?? new Date()).getTime()) throw new TokenRejected(`${what} ${where} is marked for deletion`);
    return found;
  }
}

export function serviceAccountUser(namespace: string, name: string, uid: string | undefined, extra: Record<string, string[]>): UserInfo {
  const user: UserInfo = { name: serviceAccountUsername(namespace, name), groups: [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`] };
  if (uid) user.uid = uid;
  if (Object.keys(extra).length > 0) user.extra = extra;
  return user;
}

/** Three base64url parts: anything else is some other authenticator's token. */
function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}
