// CRI log entries and rotation, as pure functions and one file: lines split on newlines, "P" for
// 16 KiB pieces of longer lines and for output without a newline yet, newest rotations kept.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { criEntries, CriLogFile, formatTimestamp, MAX_LINE_BYTES, rotatedFiles } from "../../../src/node/runtime/process/cri-log.js";

const parse = (entries: Buffer[]) => entries.map((e) => e.toString().slice(0, -1).split(" ").slice(1));

describe("CRI log", () => {
  it("writes RFC3339 timestamps with nanosecond digits", () => {
    assert.equal(formatTimestamp(Date.UTC(2024, 0, 2, 3, 4, 5, 678)), "2024-01-02T03:04:05.678000000Z");
  });

  it("tags complete lines F and output without a newline P", () => {
    const ts = "T";
    assert.deepEqual(parse(criEntries("stdout", Buffer.from("a\nb c\n"), ts)), [["stdout", "F", "a"], ["stdout", "F", "b", "c"]]);
    assert.deepEqual(parse(criEntries("stderr", Buffer.from("x\ntail"), ts)), [["stderr", "F", "x"], ["stderr", "P", "tail"]]);
    assert.deepEqual(parse(criEntries("stdout", Buffer.from("\n"), ts)), [["stdout", "F", ""]]);
  });

  it("splits lines longer than 16 KiB into partial entries", () => {
    const long = "y".repeat(MAX_LINE_BYTES * 2 + 10);
    const entries = parse(criEntries("stdout", Buffer.from(`${long}\n`), "T"));
    assert.deepEqual(entries.map((e) => [e[1], e[2]?.length]), [["P", MAX_LINE_BYTES], ["P", MAX_LINE_BYTES], ["F", 10]]);
  });

  it("rotates by size and keeps only the newest maxFiles-1 rotations", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelite-crilog-"));
    try {
      let now = 1_000;
      const file = path.join(dir, "0.log");
      const log = new CriLogFile(file, { maxSizeBytes: 100, maxFiles: 3 }, () => now++);
      for (let i = 0; i < 20; i++) log.write("stdout", Buffer.from(`line ${i} ${"z".repeat(40)}\n`));
      log.close();
      const rotated = rotatedFiles(file);
      assert.equal(rotated.length, 2);
      assert.ok(fs.readFileSync(file, "utf8").includes("line 19 "));
      assert.ok(fs.readFileSync(rotated[1]!, "utf8").includes("line 18 "));
      for (const f of [file, ...rotated]) assert.ok(fs.statSync(f).size <= 100);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
