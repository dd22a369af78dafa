// Secrets encryption at rest, as the API server manages it: the status (keys, which one is primary,
// how many Secrets each seals) and key rotation, served to cluster administrators on kubelite's own
// paths (`kubelite secrets status|rotate-key` calls them, as k3s' secrets-encrypt does). A rotation
// adds a new primary key, seals every Secret again with it, and only then forgets the old keys;
// rotations run one at a time.
import type { EncryptingStore } from "../storage/encrypting-store.js";
import type { EncryptionKeys } from "../storage/encryption/encryption-keys.js";
import type { Logger } from "../log.js";

export const SECRETS_ENCRYPTION_PATH = "/kubelite/v1/secrets-encryption";

export interface EncryptionStatus {
  provider: "aesgcm";
  resources: string[];
  primaryKey: string;
  keys: string[];
  /** Stored Secrets per key name ("identity": not encrypted yet). */
  sealedBy: Record<string, number>;
}

export interface RotationResult extends EncryptionStatus {
  previousKey: string;
  rewritten: number;
}

const MAX_REWRITE_PASSES = 5;

export class SecretsEncryption {
  #rotation: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: EncryptingStore,
    private readonly keys: EncryptionKeys,
    private readonly log: Logger,
    private readonly now: () => Date,
  ) {}

  async status(): Promise<EncryptionStatus> {
    return { provider: "aesgcm", resources: ["secrets"], primaryKey: this.keys.primary.name, keys: this.keys.names(), sealedBy: await this.store.usage() };
  }

  /** Seals what is not sealed with the primary key yet (Secrets stored before encryption was on). */
  async sealStale(): Promise<number> {
    const { rewritten } = await this.store.rewriteStale();
    if (rewritten > 0) this.log.info("encrypted Secrets stored before encryption at rest was on", { count: rewritten });
    return rewritten;
  }

  rotate(): Promise<RotationResult> {
    const run = this.#rotation.then(() => this.rotateNow());
    this.#rotation = run.catch(() => undefined);
    return run;
  }

  private async rotateNow(): Promise<RotationResult> {
    const previousKey = this.keys.primary.name;
    const primary = await this.keys.addPrimary(this.now());
    let rewritten = 0;
    // A write sealed with the old key just before the switch may land after a pass listed the
    // Secrets: passes repeat until one finds nothing stale.
    for (let pass = 0; pass < MAX_REWRITE_PASSES; pass++) {
      const result = await this.store.rewriteStale();
      rewritten += result.rewritten;
      if (result.rewritten === 0) break;
    }
    const sealedBy = await this.store.usage();
    if (Object.keys(sealedBy).every((name) => name === primary.name)) await this.keys.dropAllButPrimary();
    else this.log.warn("some Secrets are still sealed with older keys; those keys are kept", { sealedBy });
    this.log.info("rotated the Secrets encryption key", { previousKey, primaryKey: primary.name, rewritten });
    return { ...(await this.status()), previousKey, rewritten };
  }
}
