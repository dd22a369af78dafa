// Durability of the sqlite Store across a crash: a child process (crash-writer.ts) writes a burst
// with 32 concurrent writers and reports each acknowledged key; the test kills it with SIGKILL mid-
// burst, reopens the file and checks that every acknowledged key is there with its value, and that
// the revision sequence continues.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { it } from "node:test";
import { SqliteStore } from "../../src/storage/sqlite.js";
import { crashPrefix, crashValue } from "./crash-writer.js";

const writerScript = fileURLToPath(new URL("./crash-writer.js", import.meta.url));

/** Runs the writer until it has acknowledged killAfter keys, kills it, and returns the keys it acknowledged. */
function writeAndKill(path: string, killAfter: number): Promise<string[]> {
  const child = spawn(process.execPath, [writerScript, path, "1000000"], { stdio: ["ignore", "pipe", "pipe"] });
  const acked: string[] = [];
  let partial = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) if (line.startsWith("ack ")) acked.push(line.slice(4));
    if (acked.length >= killAfter && child.exitCode === null && !child.killed) child.kill("SIGKILL");
  });
  const deadline = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(deadline);
      if (signal !== "SIGKILL") reject(new Error(`the writer exited on its own (code ${code}): ${stderr}`));
      else if (acked.length < killAfter) reject(new Error(`the writer was killed after only ${acked.length} acks: ${stderr}`));
      else resolve(acked);
    });
  });
}

it("every write acknowledged before a SIGKILL is in the database after reopening", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kubelite-crash-"));
  const path = join(dir, "state.db");
  try {
    const acked = await writeAndKill(path, 3000);
    const store = await SqliteStore.open(path, { compaction: false });
    try {
      const stored = new Map((await store.list(crashPrefix)).items.map((kv) => [kv.key, kv.value]));
      const missing = acked.filter((key) => stored.get(key) !== crashValue(key));
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged keys were lost`);
      const current = await store.currentRevision();
      assert.ok(current >= acked.length);
      assert.equal(await store.create(`${crashPrefix}after`, "1"), current + 1);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
