// An http.Agent whose connections to pods are opened by the nodes' dialers (with isolated
// networking, the node's dial helper: the host has no route to pod addresses) and kept alive
// between requests, one pool per pod address. Idle connections close after 4 s, before Node's
// default 5 s keep-alive timeout on the backend's side would.
import { Agent, type AgentOptions, type ClientRequestArgs } from "node:http";
import type { Duplex } from "node:stream";

/** Opens a TCP connection to a pod's ip:port through the network of the node it runs on. */
export type PodDialer = (nodeName: string, ip: string, port: number) => Promise<Duplex>;

/** Request options naming the node whose network reaches the pod. */
export interface PodRequestArgs extends ClientRequestArgs {
  nodeName: string;
}

const IDLE_TIMEOUT_MS = 4_000;

/** Marks an error as a failed dial: nothing reached the backend, so another endpoint may be tried. */
export class PodDialError extends Error {
  constructor(readonly endpoint: string, cause: unknown) {
    super(`${endpoint}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "PodDialError";
  }
}

export class PodAgent extends Agent {
  constructor(
    private readonly dial: PodDialer,
    options: AgentOptions = {},
  ) {
    super({ keepAlive: true, maxFreeSockets: 64, timeout: IDLE_TIMEOUT_MS, scheduling: "lifo", ...options });
  }

  // Node calls this with a callback when it needs a new connection; returning nothing makes it wait for the callback.
  override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, socket: Duplex) => void): undefined {
    const { nodeName, host = "", port } = options as PodRequestArgs;
    this.dial(nodeName, host ?? "", Number(port)).then(
      (socket) => {
        // Dialed streams allow half-open connections (port-forward needs them). HTTP does not: a
        // pod that ends its side must close the connection, or the pool would hand the half-closed
        // socket to the next request, which would then wait for an answer forever.
        socket.once("end", () => socket.end());
        callback?.(null, socket);
      },
      (error: unknown) => callback?.(new PodDialError(`${host}:${port}`, error), undefined as unknown as Duplex),
    );
    return undefined;
  }
}
