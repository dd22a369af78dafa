// The node's token manager: a pod-bound TokenRequest per (account, audience, lifetime), reused
// until 80% of its lifetime has passed (or a day), requested again after; forgotten with the pod.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import type { Client, ResourceRef } from "../../src/client/client.js";
import { ServiceAccountTokens } from "../../src/node/service-account-tokens.js";
import type { Pod } from "../../src/node/pod-types.js";

interface Issued {
  namespace: string | undefined;
  account: string;
  body: KubeObject;
}

function tokenApi(now: () => number): { client: Client; issued: Issued[] } {
  const issued: Issued[] = [];
  const client = {
    async createSubresource(_ref: ResourceRef, namespace: string | undefined, account: string, _sub: string, body: KubeObject): Promise<KubeObject> {
      issued.push({ namespace, account, body });
      const seconds = (body.spec as { expirationSeconds?: number }).expirationSeconds ?? 3600;
      return { ...body, status: { token: `token-${issued.length}`, expirationTimestamp: new Date(now() + seconds * 1000).toISOString() } };
    },
  } as unknown as Client;
  return { client, issued };
}

const pod = { metadata: { name: "web", namespace: "shop", uid: "uid-1" }, spec: { serviceAccountName: "buyer", containers: [] } } as unknown as Pod;

describe("ServiceAccountTokens on the node", () => {
  it("requests a token bound to the pod with the projection's audience and lifetime", async () => {
    let now = 1_000_000;
    const { client, issued } = tokenApi(() => now);
    const tokens = new ServiceAccountTokens(client, () => now);
    assert.equal(await tokens.token(pod, { audience: "vault", expirationSeconds: 1000 }), "token-1");
    assert.deepEqual(issued[0], {
      namespace: "shop",
      account: "buyer",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { audiences: ["vault"], expirationSeconds: 1000, boundObjectRef: { apiVersion: "v1", kind: "Pod", name: "web", uid: "uid-1" } } },
    });
  });

  it("reuses a token until 80% of its lifetime, then asks again; a forgotten pod starts afresh", async () => {
    let now = 1_000_000;
    const { client, issued } = tokenApi(() => now);
    const tokens = new ServiceAccountTokens(client, () => now);
    const projection = { expirationSeconds: 1000 };
    assert.equal(await tokens.token(pod, projection), "token-1");
    now += 799_000;
    assert.equal(await tokens.token(pod, projection), "token-1");
    now += 2_000;
    assert.equal(await tokens.token(pod, projection), "token-2");
    assert.equal(await tokens.token(pod, { expirationSeconds: 2000 }), "token-3", "another lifetime is another token");
    tokens.forget("uid-1");
    assert.equal(await tokens.token(pod, projection), "token-4");
    assert.equal(issued.length, 4);
  });
});
