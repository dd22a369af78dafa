// The keys that encrypt Secrets at rest, kept in DATA_DIR/encryption/keys.json (mode 0600, as the
// CA key). The primary key encrypts new writes; every listed key decrypts, so a rotation first adds
// a new primary, then rewrites what the old keys encrypted, then drops them.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EncryptionKey } from "./aes-gcm.js";

interface KeyFile {
  primary: string;
  keys: { name: string; secret: string; created: string }[];
}

export class EncryptionKeys {
  #byName = new Map<string, EncryptionKey>();

  private constructor(
    private readonly file: string,
    private state: KeyFile,
  ) {
    this.index();
  }

  static async loadOrCreate(dataDir: string, now: () => Date = () => new Date()): Promise<EncryptionKeys> {
    const dir = join(dataDir, "encryption");
    const file = join(dir, "keys.json");
    try {
      const state = JSON.parse(await readFile(file, "utf8")) as KeyFile;
      if (!state.keys?.some((k) => k.name === state.primary)) throw new Error(`${file} names no usable primary key`);
      return new EncryptionKeys(file, state);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const keys = new EncryptionKeys(file, { primary: "", keys: [] });
    await keys.addPrimary(now());
    return keys;
  }

  get primary(): EncryptionKey {
    return this.#byName.get(this.state.primary)!;
  }

  /** Every key that may decrypt, by name. */
  all(): ReadonlyMap<string, EncryptionKey> {
    return this.#byName;
  }

  names(): string[] {
    return this.state.keys.map((k) => k.name);
  }

  /** A new random key becomes the primary; the others stay for decryption. Persisted before it is used. */
  async addPrimary(now: Date): Promise<EncryptionKey> {
    const name = `key-${now.toISOString().replace(/[-:.]/g, "").replace("T", "-").slice(0, 15)}-${randomBytes(2).toString("hex")}`;
    const next: KeyFile = { primary: name, keys: [...this.state.keys, { name, secret: randomBytes(32).toString("base64"), created: now.toISOString() }] };
    await this.save(next);
    return this.primary;
  }

  /** Forgets every key but the primary (once nothing is encrypted with them any more). */
  async dropAllButPrimary(): Promise<void> {
    await this.save({ primary: this.state.primary, keys: this.state.keys.filter((k) => k.name === this.state.primary) });
  }

  private async save(next: KeyFile): Promise<void> {
    const temp = `${this.file}.tmp`;
    await writeFile(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, this.file);
    this.state = next;
    this.index();
  }

  private index(): void {
    this.#byName = new Map(this.state.keys.map((k) => [k.name, { name: k.name, secret: Buffer.from(k.secret, "base64") }]));
  }
}
