// Shared fixtures of the controller tests that run against a real in-process server: the cluster
// admin they act as, the server and its client started once per suite (the caller closes it in
// `after`), a namespace per test, kubectl runs that must succeed, and timestamps as the API writes
// them (written here, not imported from the code under test, so expectations stay independent).
import { CORE_V1, type Client } from "../../src/client/client.js";
import { startTestServer, type TestServer, type TestServerOptions } from "../support/test-server.js";

/** The user the tests act as: a member of system:masters, so authorization never gets in the way. */
export const ADMIN = { name: "kubelite-test", groups: ["system:masters", "system:authenticated"] };

/** Starts a test server and a client acting as ADMIN. */
export async function startAdminServer(options: TestServerOptions): Promise<{ server: TestServer; client: Client }> {
  const server = await startTestServer(options);
  return { server, client: server.client(ADMIN, "test") };
}

/** Creates the namespace and returns its name. */
export async function createNamespace(client: Client, name: string): Promise<string> {
  await client.create(CORE_V1("namespaces"), undefined, { metadata: { name } });
  return name;
}

/** Runs kubectl and asserts that it exited 0 (its stderr in the message); returns its stdout. */
export async function kubectlOk(server: TestServer, args: string[], input?: string): Promise<string> {
  return server.kubectlOk(args, { input });
}

/** metav1.Time as the API serializes it: RFC 3339 at second precision in UTC. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
