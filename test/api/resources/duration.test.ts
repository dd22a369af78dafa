// Human durations as kubectl prints them (k8s.io/apimachinery/pkg/util/duration).
import { test } from "node:test";
import assert from "node:assert/strict";
import { humanDuration, shortHumanDuration, sinceTimestamp } from "../../../src/api/resources/duration.js";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test("human durations keep two or three significant figures", () => {
  const cases: [number, string][] = [
    [-2 * S, "<invalid>"], [-1 * S, "0s"], [-1500, "0s"], [0, "0s"], [999, "0s"], [5 * S, "5s"], [119 * S, "119s"], [2 * M, "2m"], [3 * M + 2 * S, "3m2s"],
    [9 * M + 59 * S, "9m59s"], [10 * M + 30 * S, "10m"], [179 * M, "179m"], [3 * H, "3h"], [5 * H + 30 * M, "5h30m"], [7 * H + 59 * M, "7h59m"], [8 * H + 30 * M, "8h"],
    [47 * H, "47h"], [48 * H, "2d"], [2 * D + 5 * H, "2d5h"], [7 * D + 23 * H, "7d23h"], [8 * D, "8d"], [364 * D, "364d"], [729 * D, "729d"], [730 * D, "2y"],
    [3 * 365 * D + 45 * D, "3y45d"], [8 * 365 * D, "8y"], [10 * 365 * D + 100 * D, "10y"],
  ];
  for (const [ms, expected] of cases) assert.equal(humanDuration(ms), expected, `${ms}ms`);
});

test("short human durations use one unit", () => {
  const cases: [number, string][] = [
    [-2 * S, "<invalid>"], [-1 * S, "0s"], [0, "0s"], [59 * S, "59s"], [60 * S, "1m"], [59 * M + 59 * S, "59m"], [H, "1h"], [23 * H, "23h"], [24 * H, "1d"],
    [364 * D, "364d"], [365 * D, "1y"], [1000 * D, "2y"],
  ];
  for (const [ms, expected] of cases) assert.equal(shortHumanDuration(ms), expected, `${ms}ms`);
});

test("the age of a timestamp is unknown when it is missing or unparsable", () => {
  const now = new Date("2025-01-01T00:03:02Z");
  assert.equal(sinceTimestamp("2025-01-01T00:00:00Z", now), "3m2s");
  assert.equal(sinceTimestamp(undefined, now), "<unknown>");
  assert.equal(sinceTimestamp("not a time", now), "<unknown>");
});
