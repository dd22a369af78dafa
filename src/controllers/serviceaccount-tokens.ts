// The legacy service-account token controller (upstream pkg/controller/serviceaccount/tokens_controller.go):
// a Secret of type kubernetes.io/service-account-token whose annotation
// kubernetes.io/service-account.name names an existing ServiceAccount gets `token` (a legacy JWT,
// valid while the Secret exists), `ca.crt` and `namespace`, and the account's uid in the
// kubernetes.io/service-account.uid annotation. A Secret whose account is gone (or was replaced:
// another uid) is deleted, as upstream. Keys are secrets' namespace/name; an account's events
// queue the token Secrets that name it (found through an index, not a scan).
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { SECRET_TYPE_SERVICE_ACCOUNT_TOKEN } from "../auth/service-account-authenticator.js";
import { CORE_V1 } from "../client/client.js";
import { defineController, enqueueObject, keyFor } from "../client/controller.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";

const SECRETS = CORE_V1("secrets");
const SERVICE_ACCOUNTS = CORE_V1("serviceaccounts");
export const SERVICE_ACCOUNT_NAME_ANNOTATION = "kubernetes.io/service-account.name";
export const SERVICE_ACCOUNT_UID_ANNOTATION = "kubernetes.io/service-account.uid";
const BY_ACCOUNT_INDEX = "serviceAccountTokenFor";

export const serviceAccountTokensController: ControllerRegistration = {
  name: "serviceaccount-token",
  component: "tokens-controller",
  create: (ctx) => {
    const secrets = ctx.informers.informerFor(SECRETS);
    const accounts = ctx.informers.informerFor(SERVICE_ACCOUNTS);
    secrets.addIndexer(BY_ACCOUNT_INDEX, (secret) => {
      const account = tokenSecretAccount(secret);
      return account ? [keyFor(secret.metadata?.namespace ?? "", account)] : [];
    });
    return defineController({
      name: "serviceaccount-token",
      reconcile: async (key) => {
        const secret = secrets.get(key);
        const account = secret && tokenSecretAccount(secret);
        if (!secret || !account) return;
        await syncSecret(ctx, secret, accounts.get(keyFor(secret.metadata?.namespace ?? "", account)));
      },
      watches: [
        { informer: secrets, keys: (secret) => (tokenSecretAccount(secret) ? enqueueObject(secret) : []) },
        { informer: accounts, keys: (account) => secrets.byIndex(BY_ACCOUNT_INDEX, keyFor(account.metadata?.namespace ?? "", account.metadata?.name ?? "")).flatMap(enqueueObject) },
      ],
      clock: ctx.clock,
      logger: ctx.log,
    });
  },
};

/** The account a token Secret is for, or undefined for any other Secret. */
function tokenSecretAccount(secret: KubeObject): string | undefined {
  if ((secret as { type?: string }).type !== SECRET_TYPE_SERVICE_ACCOUNT_TOKEN) return undefined;
  return secret.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION] || undefined;
}

async function syncSecret(ctx: ControllerContext, secret: KubeObject, account: KubeObject | undefined): Promise<void> {
  const namespace = secret.metadata?.namespace ?? "";
  const name = secret.metadata?.name ?? "";
  const wantedUid = secret.metadata?.annotations?.[SERVICE_ACCOUNT_UID_ANNOTATION];
  const accountUid = account?.metadata?.uid ?? "";
  try {
    if (!account || account.metadata?.deletionTimestamp || (wantedUid && wantedUid !== accountUid)) {
      await ctx.client.delete(SECRETS, namespace, name, { preconditions: { uid: secret.metadata?.uid } });
      return;
    }
    const data = (secret.data ?? {}) as Record<string, string>;
    const caPem = ctx.signer?.caCertPem ?? "";
    const hasToken = Boolean(data.token) && wantedUid === accountUid;
    if (hasToken && data["ca.crt"] === base64(caPem) && data.namespace === base64(namespace)) return;
    if (!ctx.tokenIssuer) return;
    const token = hasToken ? Buffer.from(data.token!, "base64").toString("utf8") : await ctx.tokenIssuer.issueLegacy(namespace, { name: account.metadata?.name ?? "", uid: accountUid }, name);
    await ctx.client.update(SECRETS, namespace, {
      ...secret,
      metadata: { ...secret.metadata, annotations: { ...secret.metadata?.annotations, [SERVICE_ACCOUNT_UID_ANNOTATION]: accountUid } },
      data: { ...data, token: base64(token), "ca.crt": base64(caPem), namespace: base64(namespace) },
    });
  } catch (err) {
    // Conflict: the Secret changed meanwhile and its event queues it again. NotFound: it is gone.
    if (err instanceof StatusError && (err.code === 409 || err.code === 404)) return;
    throw err;
  }
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}
