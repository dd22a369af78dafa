import assert from "node:assert/strict";
import { appendFile, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { formatCriLine, parseCriLine, rfc3339Nano } from "../../../src/node/logs/cri-log.js";
import { parseLogOptions, type LogOptions } from "../../../src/node/logs/log-options.js";
import { streamLog } from "../../../src/node/logs/log-reader.js";

const T0 = "2025-01-01T00:00:00.100000000Z";
const T1 = "2025-01-01T00:00:01.000000000Z";
const T2 = "2025-01-01T00:00:02.123456789Z";

async function read(path: string, options: Partial<LogOptions>, isRunning = async () => false): Promise<string> {
  const chunks: Buffer[] = [];
  await streamLog(path, { follow: false, previous: false, timestamps: false, ...options }, async (c) => void chunks.push(c), { isRunning, pollIntervalMs: 5 });
  return Buffer.concat(chunks).toString();
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("the CRI log reader", () => {
  let dir: string;
  let path: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubelite-logs-"));
    path = join(dir, "0.log");
    await writeFile(path, [
      formatCriLine(T0, "stdout", "one"),
      formatCriLine(T1, "stderr", "two"),
      formatCriLine(T2, "stdout", "thr", true),
      formatCriLine(T2, "stdout", "ee"),
    ].join(""));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("parses entries and their partial flag", () => {
    const entry = parseCriLine(Buffer.from(`${T2} stderr P some text`));
    assert.equal(entry?.stream, "stderr");
    assert.equal(entry?.partial, true);
    assert.equal(entry?.content.toString(), "some text");
    assert.equal(parseCriLine(Buffer.from("not a log line")), undefined);
  });

  it("prints content only, joining partial entries into one line", async () => {
    assert.equal(await read(path, {}), "one\ntwo\nthree\n");
  });

  it("prefixes each line with its RFC3339Nano timestamp, trailing zeros trimmed", async () => {
    assert.equal(rfc3339Nano("2025-01-01T00:00:01.000000000Z"), "2025-01-01T00:00:01Z");
    assert.equal(await read(path, { timestamps: true }), `2025-01-01T00:00:00.1Z one\n2025-01-01T00:00:01Z two\n${T2} three\n`);
  });

  it("shows the last N lines of the file", async () => {
    assert.equal(await read(path, { tailLines: 3 }), "two\nthree\n");
    assert.equal(await read(path, { tailLines: 0 }), "");
    assert.equal(await read(path, { tailLines: 100 }), "one\ntwo\nthree\n");
  });

  it("skips entries older than since", async () => {
    assert.equal(await read(path, { since: new Date("2025-01-01T00:00:01Z") }), "two\nthree\n");
  });

  it("stops after limitBytes", async () => {
    assert.equal(await read(path, { limitBytes: 6 }), "one\ntw");
  });

  it("validates options with upstream's words", () => {
    const now = new Date("2025-01-01T00:00:10Z");
    assert.deepEqual(parseLogOptions(new URLSearchParams("sinceSeconds=5&follow=true"), now).since, new Date("2025-01-01T00:00:05Z"));
    assert.throws(() => parseLogOptions(new URLSearchParams("sinceSeconds=5&sinceTime=2025-01-01T00:00:00Z"), now), /at most one of `sinceTime` or `sinceSeconds`/);
    assert.throws(() => parseLogOptions(new URLSearchParams("tailLines=-1"), now), /tailLines/);
  });

  it("follows new lines across rotation and ends once the container has exited", async () => {
    const live = join(dir, "live.log");
    await writeFile(live, formatCriLine(T0, "stdout", "first"));
    let running = true;
    const seen: string[] = [];
    const following = streamLog(live, { follow: true, previous: false, timestamps: false }, async (c) => void seen.push(c.toString()), {
      isRunning: async () => running,
      pollIntervalMs: 5,
    });
    await waitFor(() => seen.join("") === "first\n", "the first line");
    await appendFile(live, formatCriLine(T1, "stdout", "before rotation"));
    await rename(live, `${live}.${Date.now()}`);
    await writeFile(live, formatCriLine(T2, "stdout", "after rotation"));
    await waitFor(() => seen.join("").includes("after rotation"), "the rotated file");
    await appendFile(live, formatCriLine(T2, "stdout", "last words"));
    running = false;
    await following;
    assert.equal(seen.join(""), "first\nbefore rotation\nafter rotation\nlast words\n");
  });

  it("stops following when the client goes away", async () => {
    const aborter = new AbortController();
    const following = streamLog(path, { follow: true, previous: false, timestamps: false }, async () => undefined, {
      isRunning: async () => true,
      pollIntervalMs: 5,
      signal: aborter.signal,
    });
    aborter.abort();
    await following;
  });
});
