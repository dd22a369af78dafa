// Upstream's entrypoint rules and environment for the process runtime, table-driven.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { processSpec } from "../../../src/node/runtime/process/process-spec.js";
import { ImageNotFoundError } from "../../../src/node/runtime/runtime.js";
import { containerConfig } from "./conformance.js";

const images = {
  resolve: (reference: string) =>
    reference === "img"
      ? { reference, command: ["/entry"], args: ["default"], env: [{ name: "A", value: "image" }, { name: "B", value: "image" }], workingDir: "/srv" }
      : undefined,
};

describe("process spec", () => {
  const cases: { name: string; command: string[]; args: string[]; argv: string[] }[] = [
    { name: "image command and args when the pod gives neither", command: [], args: [], argv: ["/entry", "default"] },
    { name: "image command with the pod's args", command: [], args: ["mine"], argv: ["/entry", "mine"] },
    { name: "the pod's command alone drops the image's args", command: ["/bin/run"], args: [], argv: ["/bin/run"] },
    { name: "the pod's command and args", command: ["/bin/run"], args: ["x"], argv: ["/bin/run", "x"] },
  ];
  for (const c of cases) {
    it(`runs ${c.name}`, () => {
      const spec = processSpec(images, containerConfig(c.command, { image: "img", args: c.args }), "host");
      assert.deepEqual(spec.argv, c.argv);
    });
  }

  it("puts the pod's env over the image's, with HOSTNAME and a default PATH", () => {
    const spec = processSpec(images, containerConfig([], { image: "img", env: [{ name: "B", value: "pod" }] }), "web-0");
    assert.deepEqual(spec.env, [
      { name: "HOSTNAME", value: "web-0" }, { name: "A", value: "image" }, { name: "B", value: "pod" },
      { name: "PATH", value: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
    ]);
    assert.equal(spec.workingDir, "/srv");
    assert.equal(processSpec(images, containerConfig([], { image: "img", workingDir: "/w" }), "h").workingDir, "/w");
  });

  it("runs a pod with a command even when its image is unknown, and refuses one without", () => {
    assert.deepEqual(processSpec(images, containerConfig(["true"], { image: "unknown" }), "h").argv, ["true"]);
    assert.throws(() => processSpec(images, containerConfig([], { image: "unknown" }), "h"), ImageNotFoundError);
  });
});
