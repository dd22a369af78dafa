// The ingress's two host listeners, HTTP and HTTPS, on the bind address (127.0.0.1 by default, so
// nothing is exposed off the machine unless asked). HTTPS picks its certificate per handshake from
// the served Ingresses' TLS Secrets by SNI name; clients that send no name get the default one.
// A port that cannot be opened (in use, or privileged without root) is logged as a warning and
// left closed rather than failing the whole server: the API and the other listener keep serving.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { CertKeyPair } from "../auth/certificate-issuer.js";
import type { Logger } from "../log.js";
import type { ForwardedFor } from "./forwarded-headers.js";
import type { IngressProxy } from "./proxy.js";
import type { ServedIngresses } from "./served-ingresses.js";

export interface ListenerOptions {
  bindAddress: string;
  httpPort: number;
  httpsPort: number;
  proxy: IngressProxy;
  served: ServedIngresses;
  defaultCertificate: CertKeyPair;
  log: Logger;
}

export interface IngressListeners {
  /** The ports actually listened on; undefined for a listener that could not open. */
  httpPort?: number;
  httpsPort?: number;
  close(): Promise<void>;
}

export async function openListeners(options: ListenerOptions): Promise<IngressListeners> {
  const { served, defaultCertificate } = options;
  const http = createHttpServer();
  const https = createHttpsServer({
    key: defaultCertificate.keyPem,
    cert: defaultCertificate.certPem,
    SNICallback: (servername, done) => done(null, served.certificateFor(servername)),
  });
  const [httpPort, httpsPort] = await Promise.all([serve(http, "http", options.httpPort, options), serve(https, "https", options.httpsPort, options)]);
  return {
    httpPort,
    httpsPort,
    async close() {
      await Promise.all([closeServer(http), closeServer(https)]);
    },
  };
}

const OPEN_SOCKETS = Symbol("open sockets");
type TrackedServer = Server & { [OPEN_SOCKETS]?: Set<Socket> };

async function serve(server: TrackedServer, scheme: ForwardedFor["scheme"], port: number, options: ListenerOptions): Promise<number | undefined> {
  const sockets = (server[OPEN_SOCKETS] = new Set<Socket>());
  // Raw connections, for HTTPS too: close() must also end handshakes in progress.
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const bound = await listen(server, port, options.bindAddress).catch((error: NodeJS.ErrnoException) => {
    options.log.warn(`the ingress cannot listen for ${scheme.toUpperCase()} on ${options.bindAddress}:${port} (${error.code ?? error.message}); pass --ingress-${scheme}-port to choose another port`);
    return undefined;
  });
  if (bound === undefined) return undefined;
  const via: ForwardedFor = { scheme, port: bound };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => options.proxy.handle(req, res, via));
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => options.proxy.handleUpgrade(req, socket, head, via));
  return bound;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

function closeServer(server: TrackedServer): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of server[OPEN_SOCKETS] ?? []) socket.destroy();
  });
}
