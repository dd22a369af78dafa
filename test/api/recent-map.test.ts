// The bounded memo behind quantity parsing and fieldsV1 interning.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RecentMap } from "../../src/api/recent-map.js";

test("keeps what was used since it last filled, lets go of what was not", () => {
  const map = new RecentMap<string, number>(2);
  map.set("a", 1);
  map.set("b", 2);
  map.set("c", 3); // full: a and b become the older generation
  assert.equal(map.get("a"), 1, "still there, and now recent again");
  map.set("d", 4); // full again: c and a are older, b is gone
  assert.equal(map.get("b"), undefined);
  assert.equal(map.get("c"), 3);
  assert.equal(map.get("a"), 1);
  assert.equal(map.get("d"), 4);
});
