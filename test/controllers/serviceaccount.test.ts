// The service account controller against a real server and the real kubectl: every namespace, the
// system ones included, gets a `default` ServiceAccount, which comes back when deleted.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { StatusError } from "../../src/api/errors.js";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1, type Client } from "../../src/client/client.js";
import type { TestServer } from "../support/test-server.js";
import { startAdminServer } from "./fixtures.js";
import { waitFor } from "./mark-ready.js";

const SERVICE_ACCOUNTS = CORE_V1("serviceaccounts");

describe("serviceaccount controller", () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory" }));
  });
  after(() => server.close());

  async function defaultAccount(namespace: string): Promise<KubeObject | undefined> {
    try {
      return await client.get(SERVICE_ACCOUNTS, namespace, "default");
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  }

  it("every namespace gets a default ServiceAccount", async () => {
    for (const namespace of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      await waitFor(() => defaultAccount(namespace), `the default ServiceAccount of ${namespace}`);
    }
    const created = await server.kubectl(["create", "namespace", "team-sa"]);
    assert.equal(created.code, 0, created.stderr);
    await waitFor(() => defaultAccount("team-sa"), "the default ServiceAccount of team-sa");
    const listed = await server.kubectl(["get", "serviceaccounts", "-n", "team-sa"]);
    assert.match(listed.stdout, /^default\s+0\s+\S+$/m);
  });

  it("re-creates the default ServiceAccount when it is deleted", async () => {
    const first = await waitFor(() => defaultAccount("default"), "the default ServiceAccount");
    const deleted = await server.kubectl(["delete", "serviceaccount", "default", "-n", "default"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    const again = await waitFor(async () => {
      const got = await defaultAccount("default");
      return got?.metadata?.uid !== first.metadata?.uid && got;
    }, "a new default ServiceAccount");
    assert.ok(again.metadata?.uid);
  });
});
