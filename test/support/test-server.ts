// Starts a real kubelite server for integration tests (random port, temporary data dir) and runs
// the machine's real kubectl against it with its own kubeconfig and discovery cache.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../src/log.js";
import { startServer } from "../../src/server.js";
import { defaultServerOptions, type Datastore, type ServerOptions } from "../../src/server-options.js";
import type { Store } from "../../src/storage/store.js";
import type { UserInfo } from "../../src/auth/authenticate.js";
import type { Client } from "../../src/client/client.js";
import type { ControllerSettings } from "../../src/controllers/controller-context.js";
import type { SimulatedNodes } from "../../src/node/simulated/simulated-nodes.js";

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  kubeconfigPath: string;
  store: Store;
  /** An in-process Client of this server, acting as the given component. */
  client(user: UserInfo, fieldManager: string): Client;
  /** The simulated nodes, when asked for. */
  simulatedNodes?: SimulatedNodes;
  /** The built-in ingress's ports on 127.0.0.1, when asked for. */
  ingress?: { httpPort?: number; httpsPort?: number };
  /** Runs kubectl; never throws on a non-zero exit (assert on `code`). */
  kubectl(args: string[], options?: { input?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<KubectlResult>;
  /** Runs kubectl and asserts that it succeeded (its stderr in the message when not); its stdout. */
  kubectlOk(args: string[], options?: { input?: string; timeoutMs?: number }): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  datastore?: Datastore;
  simulatedNodes?: number;
  controllerSettings?: Partial<ControllerSettings>;
  leaseRenewIntervalMs?: number;
  dataDir?: string;
  bookmarkIntervalMs?: number;
  /** Run the local node agent (real processes); off unless asked, so API tests stay light. */
  agent?: boolean;
  /** --image-map for the agent's process runtime. */
  imageMap?: string;
  /** --agents: extra local agents. */
  agents?: number;
  /** Run the built-in ingress on free ports of 127.0.0.1 (off unless asked). */
  ingress?: boolean;
  /** Leave the agents' pods running on close, as a real server does (restart tests); removed by default. */
  keepPods?: boolean;
  /** Any other server flags, as ServerOptions fields. */
  serverOptions?: Partial<ServerOptions>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "kubelite-test-")));
  const cacheDir = await mkdtemp(join(tmpdir(), "kubelite-kubectl-cache-"));
  const server = await startServer(
    { ...defaultServerOptions(), dataDir, port: 0, datastore: options.datastore ?? "sqlite", logLevel: "error", simulatedNodes: options.simulatedNodes ?? 0, disableAgent: !options.agent, imageMap: options.imageMap, agents: options.agents ?? 0, nodeName: "kubelite-node", disableIngress: !options.ingress, ingressHttpPort: 0, ingressHttpsPort: 0, ...options.serverOptions },
    { log: createLogger("error"), bookmarkIntervalMs: options.bookmarkIntervalMs, controllerSettings: options.controllerSettings, leaseRenewIntervalMs: options.leaseRenewIntervalMs, removePodsOnClose: !options.keepPods, dnsUpstreams: [] },
  );
  const kubectl = (args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}) =>
    new Promise<KubectlResult>((done) => {
      const child = execFile(
        "kubectl",
        args,
        { env: { ...process.env, KUBECONFIG: server.kubeconfigPath, KUBECACHEDIR: cacheDir, ...opts.env }, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
  return {
    url: server.url,
    port: server.port,
    dataDir,
    kubeconfigPath: server.kubeconfigPath,
    store: server.store,
    client: server.client,
    simulatedNodes: server.simulatedNodes,
    ingress: server.ingress && { httpPort: server.ingress.httpPort, httpsPort: server.ingress.httpsPort },
    kubectl,
    async kubectlOk(args, opts) {
      const result = await kubectl(args, opts);
      assert.equal(result.code, 0, `kubectl ${args.join(" ")}: ${result.stderr}`);
      return result.stdout;
    },
    async close() {
      await server.close();
      await rm(cacheDir, { recursive: true, force: true });
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
