// Authentication: who sent a request. Mirrors kube-apiserver's union authenticator: an x509
// client certificate verified against the cluster CA first (user = CN, groups = O values), then
// bearer tokens through a list of token authenticators (static tokens, service-account JWTs).
// Every authenticated user gets the group system:authenticated. Anonymous requests yield
// undefined; the caller answers 401 unless allowsAnonymous(path). A bearer token that no
// authenticator accepts is a 401 on every path, as upstream (a bad token is not anonymous).
//
// Assumes the HTTPS server runs with `requestCert: true, rejectUnauthorized: false` and
// `ca: [clusterCA]`, so that OpenSSL has verified the chain (and the clientAuth purpose) and set
// `socket.authorized` before a request arrives.
import type { IncomingMessage } from "node:http";
import { TLSSocket } from "node:tls";
import { unauthorized } from "../api/errors.js";

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const AUTHENTICATED_GROUP = "system:authenticated";

/** Maps a bearer token to a user; undefined when the token is not one of its own. */
export interface TokenAuthenticator {
  authenticateToken(token: string): Promise<UserInfo | undefined>;
}

export interface Authenticator {
  authenticate(request: IncomingMessage): Promise<UserInfo | undefined>;
}

/** Paths upstream serves to anyone (system:public-info-viewer): health checks and the version. */
export function allowsAnonymous(path: string): boolean {
  const pathname = path.split("?", 1)[0] ?? "";
  if (pathname === "/version" || pathname === "/version/") return true;
  return isHealthCheckPath(pathname);
}

/** /healthz, /livez, /readyz and their named checks. */
export function isHealthCheckPath(pathname: string): boolean {
  return ["/healthz", "/livez", "/readyz"].some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

export class RequestAuthenticator implements Authenticator {
  readonly #tokens: readonly TokenAuthenticator[];
  /** Each connection's certificate identity, read once: reading the peer certificate is costly. */
  readonly #byConnection = new WeakMap<TLSSocket, UserInfo | null>();

  constructor(tokenAuthenticators: readonly TokenAuthenticator[]) {
    this.#tokens = tokenAuthenticators;
  }

  /** A token authenticator that throws is a fault, not a rejection: the error propagates. */
  async authenticate(request: IncomingMessage): Promise<UserInfo | undefined> {
    const fromCertificate = this.connectionUser(request);
    if (fromCertificate !== undefined) return fromCertificate;
    const token = bearerToken(request);
    if (token === undefined) return undefined;
    for (const authenticator of this.#tokens) {
      const user = await authenticator.authenticateToken(token);
      if (user !== undefined) return withAuthenticatedGroup(user);
    }
    throw unauthorized();
  }

  /**
   * The client certificate's identity, remembered per connection. Renegotiation (TLS 1.2) is
   * refused from then on, as Go's servers refuse it, so the certificate cannot change under it.
   */
  private connectionUser(request: IncomingMessage): UserInfo | undefined {
    const socket = request.socket;
    if (!(socket instanceof TLSSocket)) return undefined;
    let user = this.#byConnection.get(socket);
    if (user === undefined) {
      user = userFromClientCertificate(request) ?? null;
      socket.disableRenegotiation();
      this.#byConnection.set(socket, user);
    }
    return user === null ? undefined : { ...user, groups: [...user.groups] };
  }
}

/** The verified client certificate's identity, as kube-apiserver's x509 authenticator reads it. */
export function userFromClientCertificate(request: IncomingMessage): UserInfo | undefined {
  const socket = request.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const subject = socket.getPeerCertificate().subject as Record<string, string | string[] | undefined> | undefined;
  if (subject === undefined) return undefined;
  const name = subject["CN"];
  if (typeof name !== "string" || name === "") return undefined;
  const organizations = subject["O"];
  const groups = organizations === undefined ? [] : typeof organizations === "string" ? [organizations] : organizations;
  return withAuthenticatedGroup({ name, groups: [...groups] });
}

const WEBSOCKET_TOKEN_PREFIX = "base64url.bearer.authorization.k8s.io.";

/**
 * `Authorization: Bearer <token>`, or for WebSocket upgrades from browsers (which cannot set
 * headers) the subprotocol `base64url.bearer.authorization.k8s.io.<base64url token>`, as upstream.
 */
export function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  return webSocketProtocolToken(request.headers["sec-websocket-protocol"]);
}

function webSocketProtocolToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const protocol = header
    .split(",")
    .map((p) => p.trim())
    .find((p) => p.startsWith(WEBSOCKET_TOKEN_PREFIX));
  if (protocol === undefined) return undefined;
  const token = Buffer.from(protocol.slice(WEBSOCKET_TOKEN_PREFIX.length), "base64url").toString("utf8");
  return token === "" ? undefined : token;
}

function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(AUTHENTICATED_GROUP)) return user;
  return { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}
