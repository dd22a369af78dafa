// Test fixtures: the article's example manifests (copied from the project's shared examples) and
// small builders for objects in tests.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { KubeObject } from "../../../src/api/resource.js";

/** A YAML fixture from test/api/resources/fixtures (read from the source tree, not dist). */
export function fixture(name: string): KubeObject {
  const file = fileURLToPath(new URL(`../../../../test/api/resources/fixtures/${name}`, import.meta.url));
  return parse(readFileSync(file, "utf8")) as KubeObject;
}

export const NOW = new Date("2025-06-01T12:00:00Z");

/** An ISO timestamp `seconds` before NOW. */
export function ago(seconds: number): string {
  return new Date(NOW.getTime() - seconds * 1000).toISOString();
}
