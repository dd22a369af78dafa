// metav1.Time and MicroTime parsing at the edges of each field's range: the common forms
// (`...Z`, `....ffffffZ`) Go accepts, and the first value past each edge, which it refuses.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { timeParseError } from "../../src/api/validation/time-parse-errors.js";

describe("timeParseError", () => {
  for (const value of ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-02-29T12:30:45Z", "2000-02-29T00:00:00Z", "2024-04-30T00:00:00Z"]) {
    it(`accepts ${value}`, () => assert.equal(timeParseError(value, false), undefined));
  }
  it("accepts six fractional digits for MicroTime", () => assert.equal(timeParseError("2024-01-01T00:00:00.000001Z", true), undefined));
  const refused: Array<[string, boolean, RegExp]> = [
    ["1900-02-29T00:00:00Z", false, /day out of range/],
    ["2024-04-31T00:00:00Z", false, /day out of range/],
    ["2024-00-10T00:00:00Z", false, /month out of range/],
    ["2024-01-01T24:00:00Z", false, /hour out of range/],
    ["2024-01-01T00:60:00Z", false, /minute out of range/],
    ["2024-01-01T00:00:60Z", false, /second out of range/],
    ["2024-01-01T00:00:00Z", true, /cannot parse "Z" as ".000000"/],
  ];
  for (const [value, micro, message] of refused) {
    it(`refuses ${value}${micro ? " as MicroTime" : ""}`, () => assert.match(timeParseError(value, micro) ?? "", message));
  }
});
