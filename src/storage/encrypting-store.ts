// A Store that keeps the values under some prefixes (Secrets) encrypted at rest: writes are sealed
// with the primary key before they reach the backend, reads and watch events are opened again, so
// everything above the Store (watch cache, registry) sees plaintext and the database file never
// does. Values written before encryption was on are read as they are and sealed on their next write
// or by a rewrite (`kubelite secrets rotate-key`).
import { decrypt, encrypt, encryptedWith } from "./encryption/aes-gcm.js";
import type { EncryptionKeys } from "./encryption/encryption-keys.js";
import { ConflictError, KeyNotFoundError, type KeyValue, type ListOptions, type ListResult, type Store, type WatchCallbacks, type WatchEvent, type WatchHandle } from "./store.js";

export const ENCRYPTED_PREFIXES = ["/registry/secrets/"];

export interface RewriteResult {
  /** Values sealed again with the primary key. */
  rewritten: number;
  /** Values already sealed with it. */
  current: number;
}

export class EncryptingStore implements Store {
  readonly backend: string;

  constructor(
    private readonly inner: Store,
    private readonly keys: EncryptionKeys,
    private readonly prefixes: readonly string[] = ENCRYPTED_PREFIXES,
  ) {
    this.backend = inner.backend;
  }

  currentRevision(): Promise<number> {
    return this.inner.currentRevision();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const kv = await this.inner.get(key);
    return kv && this.open(kv);
  }

  async list(prefix: string, options?: ListOptions): Promise<ListResult> {
    const result = await this.inner.list(prefix, options);
    if (!this.mayHoldEncrypted(prefix)) return result;
    return { ...result, items: result.items.map((kv) => this.open(kv)) };
  }

  count(prefix: string): Promise<number> {
    return this.inner.count(prefix);
  }

  create(key: string, value: string): Promise<number> {
    return this.inner.create(key, this.seal(key, value));
  }

  update(key: string, value: string, expectedRevision: number): Promise<number> {
    return this.inner.update(key, this.seal(key, value), expectedRevision);
  }

  async delete(key: string, expectedRevision?: number): Promise<{ revision: number; prev: KeyValue }> {
    const result = await this.inner.delete(key, expectedRevision);
    return { revision: result.revision, prev: this.open(result.prev) };
  }

  watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): WatchHandle {
    if (!this.mayHoldEncrypted(prefix)) return this.inner.watch(prefix, fromRevision, callbacks);
    return this.inner.watch(prefix, fromRevision, {
      onEvent: (event) => callbacks.onEvent(this.openEvent(event)),
      onError: callbacks.onError && ((err) => callbacks.onError!(err)),
    });
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  compactedRevision(): Promise<number> {
    return this.inner.compactedRevision();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /**
   * Seals every encrypted-prefix value that is not sealed with the primary key (plaintext from before
   * encryption, or an older key) again, with compare-and-swap so a concurrent write is never lost.
   */
  async rewriteStale(): Promise<RewriteResult> {
    const primary = this.keys.primary.name;
    const result: RewriteResult = { rewritten: 0, current: 0 };
    for (const prefix of this.prefixes) {
      const { items } = await this.inner.list(prefix);
      for (let kv of items) {
        for (let attempt = 0; ; attempt++) {
          if (encryptedWith(kv.value) === primary) {
            result.current++;
            break;
          }
          try {
            await this.inner.update(kv.key, this.seal(kv.key, this.open(kv).value), kv.modRevision);
            result.rewritten++;
            break;
          } catch (err) {
            if (err instanceof KeyNotFoundError) break;
            if (!(err instanceof ConflictError) || attempt > 8) throw err;
            const fresh = await this.inner.get(kv.key);
            if (!fresh) break;
            kv = fresh;
          }
        }
      }
    }
    return result;
  }

  /** How many stored values each key name seals ("identity" for plaintext). */
  async usage(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const prefix of this.prefixes) {
      for (const kv of (await this.inner.list(prefix)).items) {
        const name = encryptedWith(kv.value) ?? "identity";
        counts[name] = (counts[name] ?? 0) + 1;
      }
    }
    return counts;
  }

  private encrypts(key: string): boolean {
    return this.prefixes.some((p) => key.startsWith(p));
  }

  /** Whether a list or watch of `prefix` can meet encrypted values (the root watch does). */
  private mayHoldEncrypted(prefix: string): boolean {
    return this.prefixes.some((p) => p.startsWith(prefix) || prefix.startsWith(p));
  }

  private seal(key: string, value: string): string {
    return this.encrypts(key) ? encrypt(value, this.keys.primary, key) : value;
  }

  private open(kv: KeyValue): KeyValue {
    if (!this.encrypts(kv.key) || encryptedWith(kv.value) === undefined) return kv;
    return { ...kv, value: decrypt(kv.value, this.keys.all(), kv.key) };
  }

  private openEvent(event: WatchEvent): WatchEvent {
    if (!this.encrypts(event.kv.key)) return event;
    if (event.type === "delete") return { type: "delete", kv: this.open(event.kv) };
    return { type: "put", kv: this.open(event.kv), ...(event.prev ? { prev: this.open(event.prev) } : {}) };
  }
}
