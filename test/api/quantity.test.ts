// Quantity parsing, canonical form, comparison and arithmetic against upstream's own tables
// (k8s.io/apimachinery/pkg/api/resource quantity_test.go at v1.32).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ERR_FORMAT_WRONG, ERR_NUMERIC, ERR_SUFFIX, Quantity, QuantityError, type QuantityFormat } from "../../src/api/quantity.js";

test("quantities parse to upstream's canonical form and format", () => {
  const cases: [string, string, QuantityFormat][] = [
    ["100m", "100m", "DecimalSI"],
    ["0.5", "500m", "DecimalSI"],
    ["1.5", "1500m", "DecimalSI"],
    ["1", "1", "DecimalSI"],
    ["1Gi", "1Gi", "BinarySI"],
    ["512Mi", "512Mi", "BinarySI"],
    ["1.5Gi", "1536Mi", "BinarySI"],
    ["1024Mi", "1Gi", "BinarySI"],
    ["1000M", "1G", "DecimalSI"],
    ["50k", "50k", "DecimalSI"],
    ["1e3", "1e3", "DecimalExponent"],
    ["1.2e3", "1200", "DecimalExponent"],
    ["1.3E+6", "1300e3", "DecimalExponent"],
    ["0.5e-1", "50e-3", "DecimalExponent"],
    ["100.035k", "100.035k", "DecimalSI"], // upstream keeps this text: its digits need no rescaling
    ["0.0005k", "500m", "DecimalSI"],
    ["7.123456M", "7.123456M", "DecimalSI"],
    ["2.5P", "2500T", "DecimalSI"],
    ["1.01E", "1010P", "DecimalSI"],
    ["5n", "5n", "DecimalSI"],
    ["4u", "4u", "DecimalSI"],
    ["0", "0", "DecimalSI"],
    ["0Ki", "0", "BinarySI"],
    ["0.5Mi", "512Ki", "BinarySI"],
    ["100.035Ki", "102435840m", "BinarySI"],
    [".001Ki", "1024m", "BinarySI"],
    [".000001Ki", "1024u", "DecimalSI"],
    [".000000001Ki", "1024n", "DecimalSI"],
    [".000000000001Ki", "2n", "DecimalSI"],
    [".001", "1m", "DecimalSI"],
    [".", "0", "DecimalSI"],
    ["-1.5", "-1500m", "DecimalSI"],
    ["-0", "0", "DecimalSI"],
    ["1024", "1024", "DecimalSI"],
    ["1025Ki", "1025Ki", "BinarySI"],
  ];
  for (const [input, canonical, format] of cases) {
    const q = Quantity.parse(input);
    assert.equal(q.toString(), canonical, input);
    assert.equal(q.format, format, input);
    assert.equal(JSON.stringify({ q }), `{"q":${JSON.stringify(canonical)}}`, input);
  }
});

test("canonical strings serialise as themselves and alternates as the canonical one", () => {
  // upstream TestQuantityString: [canonical, alternate spelling]
  const cases: [string, string][] = [
    ["1Gi", "1024Mi"], ["300Mi", "307200Ki"], ["6Ki", ""], ["1001Gi", "1025024Mi"], ["1Ti", "1024Gi"],
    ["5", "5000m"], ["500m", "0.5"], ["1G", "1000M"], ["1G", "0.001T"], ["1m", "1000u"], ["80m", ""],
    ["1080m", "1.08"], ["1080m", "1080000000n"], ["300M", ""], ["1T", ""], ["1234567M", ""], ["1234567m", ""],
    ["3k", ""], ["1025", ""], ["0", "00"], ["1e9", ".001e12"], ["1e-3", "0.001e0"], ["1e-9", "1000e-12"],
    ["80e-3", ""], ["300e6", ""], ["1e12", ""], ["3e3", ""], ["1n", ""], ["80n", ""], ["1080n", ""], ["1u", ""], ["1080u", ""],
  ];
  for (const [canonical, alternate] of cases) {
    assert.equal(Quantity.parse(canonical).toString(), canonical);
    if (canonical !== "0") assert.equal(Quantity.parse(canonical).neg().toString(), `-${canonical}`);
    if (alternate) assert.equal(Quantity.parse(alternate).toString(), canonical, alternate);
  }
});

test("the input text is kept where upstream keeps it, even when it is not the canonical spelling", () => {
  for (const input of ["+1Ki", "01", "1E3", "1.", "1.G", "+5", "-3Gi"]) assert.equal(Quantity.parse(input).toString(), input);
});

test("tiny values round up to one nano and binary values cap at 2^63-1", () => {
  const cases: [string, string][] = [
    ["3.001n", "4n"], ["1.1E-9", "2e-9"], ["0.0000000001", "1n"], ["0.0000000005", "1n"], ["0.5e-9", "1e-9"],
    ["0.00000012345", "124n"], ["0.00000012354", "124n"], ["-0.0000000001", "-1n"],
    ["9Ei", "9223372036854775807"], ["9223372036854775807Ki", "9223372036854775807"], ["12E", "12E"],
  ];
  for (const [input, canonical] of cases) assert.equal(Quantity.parse(input).toString(), canonical, input);
});

test("decimal values beyond the largest suffix lose their suffix as upstream's do", () => {
  assert.equal(Quantity.parse("1000E").toString(), "1");
  assert.equal(Quantity.parse("1000E").cmp(Quantity.parse("1e21")), 0);
});

test("invalid quantities fail with upstream's messages", () => {
  const cases: [string, string][] = [
    ["", ERR_FORMAT_WRONG], ["1.1.M", ERR_FORMAT_WRONG], ["1+1.0M", ERR_FORMAT_WRONG], ["0.1am", ERR_FORMAT_WRONG],
    ["aoeu", ERR_FORMAT_WRONG], [" 1", ERR_FORMAT_WRONG], ["1 ", ERR_FORMAT_WRONG], ["1Gb", ERR_FORMAT_WRONG],
    ["0.1mi", ERR_SUFFIX], [".5i", ERR_SUFFIX], ["1i", ERR_SUFFIX], ["-3.01i", ERR_SUFFIX], ["-3.01e-", ERR_SUFFIX], ["1e", ERR_SUFFIX], ["1Ki5", ERR_SUFFIX],
    [".e-10", ERR_NUMERIC],
  ];
  for (const [input, message] of cases) {
    assert.equal(Quantity.check(input), message, JSON.stringify(input));
    assert.throws(() => Quantity.parse(input), (err: unknown) => err instanceof QuantityError && err.message === message);
  }
  assert.equal(ERR_FORMAT_WRONG, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  assert.equal(Quantity.check("250m"), undefined);
});

test("value and milliValue round up away from zero", () => {
  const cases: [string, number, number][] = [
    ["100m", 1, 100], ["1.5", 2, 1500], ["2", 2, 2000], ["1Gi", 1073741824, 1073741824000], ["1n", 1, 1],
    ["0.0001", 1, 1], ["-1.5", -2, -1500], ["-100m", -1, -100], ["0", 0, 0], ["1e3", 1000, 1000000],
  ];
  for (const [input, value, milli] of cases) {
    const q = Quantity.parse(input);
    assert.equal(q.value(), value, input);
    assert.equal(q.milliValue(), milli, input);
  }
  assert.equal(Quantity.parse("9.01").scaledValue(1), 1);
  assert.equal(Quantity.parse("-9.01").scaledValue(-1), -91);
  assert.equal(Quantity.parse("1Ei").scaledValueBig(-3), 1152921504606846976000n);
});

test("quantities compare by value whatever their spelling", () => {
  const cases: [string, string, number][] = [
    ["1Gi", "1024Mi", 0], ["1", "999m", 1], ["-1", "1", -1], ["0.5", "500m", 0], ["1e-9", "0", 1],
    ["1Ei", "1E", 1], ["1e1000", "1E", 1], ["-2", "-1", -1], ["100m", "0.1", 0], ["1k", "1Ki", -1],
  ];
  for (const [a, b, want] of cases) {
    assert.equal(Quantity.parse(a).cmp(Quantity.parse(b)), want, `${a} vs ${b}`);
    assert.equal(Quantity.parse(b).cmp(Quantity.parse(a)), 0 - want, `${b} vs ${a}`);
  }
  assert.ok(Quantity.parse("1Gi").equals(Quantity.parse("1073741824")));
});

test("sums keep the first operand's format unless it is zero", () => {
  const cases: [string, string, string, string][] = [
    ["1", "500m", "1500m", "DecimalSI"], ["1Gi", "512Mi", "1536Mi", "BinarySI"], ["0", "1Ki", "1Ki", "BinarySI"],
    ["100m", "0", "100m", "DecimalSI"], ["1", "-1500m", "-500m", "DecimalSI"], ["1E", "1E", "2E", "DecimalSI"],
  ];
  for (const [a, b, sum, format] of cases) {
    const q = Quantity.parse(a).add(Quantity.parse(b));
    assert.equal(q.toString(), sum, `${a} + ${b}`);
    assert.equal(q.format, format);
  }
  assert.equal(Quantity.parse("1").sub(Quantity.parse("1500m")).toString(), "-500m");
  assert.equal(Quantity.parse("9223372036854775807").add(Quantity.parse("1")).toString(), "9223372036854775808");
});

test("quantities come from JSON strings and numbers and from integers", () => {
  assert.equal(Quantity.fromJSON(" 1 ").toString(), "1");
  assert.equal(Quantity.fromJSON(1.5).toString(), "1500m");
  assert.equal(Quantity.fromJSON(-1).toString(), "-1");
  assert.equal(Quantity.fromJSON(1e21).toString(), "1e21");
  assert.equal(Quantity.fromInt(2048, "BinarySI").toString(), "2Ki");
  assert.equal(Quantity.fromInt(5, "BinarySI").toString(), "5");
  assert.equal(Quantity.fromMilli(1500).toString(), "1500m");
  assert.equal(Quantity.fromMilli(500, "BinarySI").toString(), "500m");
  assert.equal(Quantity.zero().toString(), "0");
  assert.equal(Quantity.parse("1.5Gi").toNumber(), 1610612736);
});
