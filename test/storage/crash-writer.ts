// The child process of sqlite-crash.test.ts: opens a SqliteStore at argv[2] and creates keys with 32
// concurrent writers until it has written argv[3] keys or is killed, printing "ack <key>" on stdout
// only after the store acknowledged that key's create. Stdout to a pipe is synchronous on Linux, so
// every line the parent reads names a write the store had already acknowledged.
import { pathToFileURL } from "node:url";
import { SqliteStore } from "../../src/storage/sqlite.js";

export const crashPrefix = "/crash/";

/** The value written for key: the parent recomputes it to check what survived. */
export function crashValue(key: string): string {
  return JSON.stringify({ key, padding: "x".repeat(2000) });
}

async function writeBurst(path: string, total: number, concurrency: number): Promise<void> {
  const store = await SqliteStore.open(path, { compaction: false });
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < total) {
      const key = `${crashPrefix}k${String(next++).padStart(7, "0")}`;
      await store.create(key, crashValue(key));
      process.stdout.write(`ack ${key}\n`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => writer()));
  await store.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [path, total] = process.argv.slice(2);
  if (!path || !total) throw new Error("usage: crash-writer.js DB_PATH KEY_COUNT");
  await writeBurst(path, Number(total), 32);
}
