// The Ingresses the built-in controller serves, as a routing table and TLS host index. A change
// to any Ingress or IngressClass only marks them stale; they are rebuilt on the next request or
// handshake, so a burst of changes costs one rebuild (one pass over the cached Ingresses).
import type { SecureContext } from "node:tls";
import type { CacheReader } from "../client/indexer.js";
import type { IngressCertificates } from "./certificates.js";
import { isServed } from "./ingress-class.js";
import { RouteTable } from "./routes.js";

export class ServedIngresses {
  private table?: RouteTable;

  constructor(
    private readonly ingresses: CacheReader,
    private readonly classes: CacheReader,
    private readonly certificates: IngressCertificates,
  ) {}

  markChanged(): void {
    this.table = undefined;
  }

  routes(): RouteTable {
    if (!this.table) {
      const served = this.ingresses.list().filter((ingress) => isServed(ingress, this.classes));
      this.certificates.setIngresses(served);
      this.table = new RouteTable(served);
    }
    return this.table;
  }

  certificateFor(servername: string | undefined): SecureContext {
    this.routes();
    return this.certificates.contextFor(servername);
  }
}
