// What the resource handlers share: the registry, caches, discovery, schemas, clock and settings.
import type { ClusterCache } from "../cluster-cache.js";
import type { Discovery } from "../discovery.js";
import type { Registry } from "../registry.js";
import type { SchemaRegistry } from "../schema.js";
import type { Logger } from "../../log.js";
import type { Store } from "../../storage/store.js";
import type { NodeClientCredentials } from "./node-connection.js";
import type { ServiceAccountTokenIssuer } from "../../auth/service-account-token.js";
import type { ClusterAuthorization } from "../../auth/authorization/cluster-authorization.js";

export interface ApiContext {
  registry: Registry;
  store: Store;
  cache: ClusterCache;
  discovery: Discovery;
  schemas: SchemaRegistry;
  now: () => Date;
  log: Logger;
  /** How often watches that allow bookmarks get one (upstream: about a minute). */
  bookmarkIntervalMs: number;
  /** Watch duration when the client sets no timeoutSeconds (upstream: 30-60 minutes). */
  defaultWatchTimeoutMs: () => number;
  /** The client certificate for node agents (pods/log, exec, attach, portforward); absent: those fail plainly. */
  nodeClient?: NodeClientCredentials;
  /** Decides every request, HTTP and in-process (Node, RBAC, system:masters). */
  authorization: ClusterAuthorization;
  /** Signs service-account tokens (serviceaccounts/token); absent: that subresource answers 503. */
  serviceAccountTokens?: ServiceAccountTokenIssuer;
}
