// Service-account tokens for projected volumes (upstream pkg/kubelet/token/token_manager.go): the
// agent asks the API for a token bound to the pod (serviceaccounts/<name>/token with a Pod
// boundObjectRef, the projection's audience and expirationSeconds) and keeps it until it is 80%
// through its lifetime, or 24 hours old, whichever comes first; then the next volume refresh gets
// a new one. Tokens of a pod are forgotten when its volumes are torn down.
import { CORE_V1, type Client } from "../client/client.js";
import type { Pod } from "./pod-types.js";

const REFRESH_AT_FRACTION = 0.8;
const MAX_TOKEN_AGE_MS = 24 * 60 * 60 * 1000;

export interface TokenProjection {
  audience?: string;
  expirationSeconds?: number;
}

/** What projected volumes need: a current token for the pod's account. */
export interface PodTokenSource {
  token(pod: Pod, projection: TokenProjection): Promise<string>;
  forget(podUid: string): void;
}

interface CachedToken {
  token: string;
  refreshAt: number;
}

export class ServiceAccountTokens implements PodTokenSource {
  readonly #byPod = new Map<string, Map<string, CachedToken>>();

  constructor(
    private readonly client: Client,
    private readonly now: () => number = Date.now,
  ) {}

  async token(pod: Pod, projection: TokenProjection): Promise<string> {
    const uid = pod.metadata?.uid ?? "";
    const account = (pod.spec as { serviceAccountName?: string }).serviceAccountName || "default";
    const key = `${account}|${projection.audience ?? ""}|${projection.expirationSeconds ?? ""}`;
    const cached = this.#byPod.get(uid)?.get(key);
    if (cached && this.now() < cached.refreshAt) return cached.token;
    const issued = await this.request(pod, account, projection);
    let tokens = this.#byPod.get(uid);
    if (!tokens) this.#byPod.set(uid, (tokens = new Map()));
    tokens.set(key, issued);
    return issued.token;
  }

  forget(podUid: string): void {
    this.#byPod.delete(podUid);
  }

  private async request(pod: Pod, account: string, projection: TokenProjection): Promise<CachedToken> {
    const requestedAt = this.now();
    const response = await this.client.createSubresource(CORE_V1("serviceaccounts"), pod.metadata?.namespace ?? "default", account, "token", {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: {
        audiences: projection.audience ? [projection.audience] : [],
        ...(projection.expirationSeconds === undefined ? {} : { expirationSeconds: projection.expirationSeconds }),
        boundObjectRef: { apiVersion: "v1", kind: "Pod", name: pod.metadata?.name ?? "", uid: pod.metadata?.uid ?? "" },
      },
    });
    const status = response.status as { token?: string; expirationTimestamp?: string } | undefined;
    if (!status?.token) throw new Error(`the API returned no token for service account ${account}`);
    const expiresAt = Date.parse(status.expirationTimestamp ?? "") || requestedAt + (projection.expirationSeconds ?? 3600) * 1000;
    const refreshAt = Math.min(requestedAt + (expiresAt - requestedAt) * REFRESH_AT_FRACTION, requestedAt + MAX_TOKEN_AGE_MS);
    return { token: status.token, refreshAt };
  }
}
