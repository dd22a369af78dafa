// Opens the Store a server runs on, from its --datastore choice and data directory: sqlite keeps its
// database at DATA_DIR/db/state.db (directories are created); memory keeps nothing across restarts.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { MemoryStore } from "./memory.js";
import { SqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

export async function openStore(options: { backend: "sqlite" | "memory"; dataDir: string }): Promise<Store> {
  if (options.backend === "memory") return new MemoryStore();
  const dir = join(options.dataDir, "db");
  await mkdir(dir, { recursive: true });
  return SqliteStore.open(join(dir, "state.db"));
}
