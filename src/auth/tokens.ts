// Static bearer tokens and the cluster's join token.
//
// The join token (DATA_DIR/token, created once, mode 0600) is k3s-shaped:
// `K10<sha256 of the CA certificate, DER, hex>::server:<secret>`. The CA hash lets an agent pin the
// server's CA before it trusts anything; the secret authenticates it as
// `kubelite:bootstrap:node` (groups system:bootstrappers, system:authenticated). Agents may send
// the whole token or only the secret. If the file holds only a secret (written by hand), or the
// CA changed, the file is rewritten with the current CA hash and the same secret.
//
// Token comparison is constant-time: every presented token is hashed and compared against every
// known token's hash with timingSafeEqual, without early exit.
import { X509Certificate, createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import type { TokenAuthenticator, UserInfo } from "./authenticate.js";
import { readFileIfExists, writeFileAtomic } from "./credential-files.js";

export const BOOTSTRAP_NODE_USER = "kubelite:bootstrap:node";
export const BOOTSTRAPPERS_GROUP = "system:bootstrappers";

export interface JoinToken {
  /** sha256 (hex) of the CA certificate's DER; absent in a short token. */
  caHash?: string;
  secret: string;
}

export interface JoinTokenOptions {
  dataDir: string;
  caCertPem: string;
  /** Source of the secret's 16 random bytes; defaults to node:crypto. */
  random?: (size: number) => Buffer;
}

export function joinTokenUser(): UserInfo {
  return { name: BOOTSTRAP_NODE_USER, groups: [BOOTSTRAPPERS_GROUP, "system:authenticated"] };
}

/** Reads DATA_DIR/token, creating or updating it; returns the full token. */
export async function loadOrCreateJoinToken(options: JoinTokenOptions): Promise<string> {
  const path = join(options.dataDir, "token");
  const stored = await readToken(path);
  const secret = stored === undefined ? (options.random ?? randomBytes)(16).toString("hex") : stored.secret;
  const token = formatJoinToken({ caHash: caCertHash(options.caCertPem), secret });
  if (stored === undefined || formatJoinToken(stored) !== token) await writeFileAtomic(path, `${token}\n`, 0o600);
  return token;
}

async function readToken(path: string): Promise<JoinToken | undefined> {
  const text = await readFileIfExists(path);
  return text === undefined ? undefined : parseJoinToken(text);
}

export function formatJoinToken(token: JoinToken): string {
  return token.caHash === undefined ? token.secret : `K10${token.caHash}::server:${token.secret}`;
}

/** Parses a full (`K10<hash>::<user>:<secret>`) or short (`<secret>`) token. */
export function parseJoinToken(text: string): JoinToken | undefined {
  const value = text.trim();
  if (value === "" || /\s/.test(value)) return undefined;
  const full = /^K10([0-9a-f]{64})::[^:]+:(.+)$/.exec(value);
  if (full?.[1] !== undefined && full[2] !== undefined) return { caHash: full[1], secret: full[2] };
  return { secret: value };
}

/** The CA pin in a join token: sha256 of the CA certificate's DER encoding, hex. */
export function caCertHash(caCertPem: string): string {
  return createHash("sha256").update(new X509Certificate(caCertPem).raw).digest("hex");
}

/** The authenticator for the join token: accepts the full token or its secret alone. */
export function joinTokenAuthenticator(token: string): StaticTokenAuthenticator {
  const parsed = parseJoinToken(token);
  if (parsed === undefined) throw new Error("the join token is empty or contains white space");
  const user = joinTokenUser();
  return new StaticTokenAuthenticator([
    [formatJoinToken(parsed), user],
    [parsed.secret, user],
  ]);
}

interface TokenEntry {
  digest: Buffer;
  user: UserInfo;
}

/** Fixed tokens mapped to users (like kube-apiserver's --token-auth-file). */
export class StaticTokenAuthenticator implements TokenAuthenticator {
  readonly #entries: readonly TokenEntry[];

  constructor(tokens: Iterable<readonly [string, UserInfo]>) {
    this.#entries = [...tokens].map(([token, user]) => ({ digest: digest(token), user }));
  }

  authenticateToken(token: string): Promise<UserInfo | undefined> {
    const presented = digest(token);
    let found: UserInfo | undefined;
    for (const entry of this.#entries) {
      // No early exit: the time taken does not depend on which entry matched.
      if (timingSafeEqual(presented, entry.digest) && found === undefined) found = entry.user;
    }
    return Promise.resolve(found === undefined ? undefined : structuredClone(found));
  }
}

/** Hashing first gives equal-length inputs to timingSafeEqual and hides the tokens' lengths. */
function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}
