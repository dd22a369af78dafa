// Image matching (exact, normalised, any tag, digests, wildcards), built-in images, and the image
// map file's format and errors.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ImageMap } from "../../../src/node/images/image-map.js";
import { ImageMapError, parseImageMap } from "../../../src/node/images/image-map-file.js";

const DIGEST = `sha256:${"a".repeat(64)}`;

const FILE = `
nginx:
  command: [/usr/sbin/nginx]
nginx:1.25:
  command: [/opt/nginx-1.25/nginx]
myregistry/api-server:
  command: [node, server.js]
  env: {MODE: prod, WORKERS: 4}
  workingDir: /srv/api
registry.example.com/team/worker:*:
  args: [run-worker]
  env:
    - {name: QUEUE, value: jobs}
app:v2:
  command: [app-v2]
app:*:
  command: [app-any]
busybox:
  command: [/bin/busybox]
  args: [sh]
`;

describe("ImageMap", () => {
  it("runs an entry naming another image as that image, its own fields laid over", () => {
    const aliased = new ImageMap(parseImageMap("myregistry/api-server: {image: kubelite/echo-server, env: {PORT: '8080'}}\nchain: {image: 'myregistry/api-server:v2', args: [--verbose]}\nbroken: {image: nowhere/at-all}\n", "f.yaml"));
    const echo = aliased.resolve("myregistry/api-server:v1.2.3");
    assert.ok(echo?.command.at(-1)?.endsWith("echo-server.js"));
    assert.deepEqual(echo?.env, [{ name: "PORT", value: "8080" }]);
    const chained = aliased.resolve("chain");
    assert.deepEqual(chained?.command, echo?.command);
    assert.deepEqual(chained?.args, ["--verbose"]);
    assert.equal(aliased.resolve("broken"), undefined);
  });

  const images = new ImageMap(parseImageMap(FILE, "images.yaml"));
  const commandOf = (reference: string) => {
    const info = images.resolve(reference);
    return info ? [...info.command, ...info.args].join(" ") : undefined;
  };

  const cases: [reference: string, expected: string | undefined][] = [
    ["nginx", "/usr/sbin/nginx"],
    ["docker.io/library/nginx:latest", "/usr/sbin/nginx"],
    ["library/nginx", "/usr/sbin/nginx"],
    ["nginx:1.25", "/opt/nginx-1.25/nginx"],
    ["docker.io/library/nginx:1.25", "/opt/nginx-1.25/nginx"],
    ["nginx:1.26", "/usr/sbin/nginx"],
    [`nginx@${DIGEST}`, "/usr/sbin/nginx"],
    ["myregistry/api-server:v1.2.3", "node server.js"],
    ["docker.io/myregistry/api-server:v1.2.3", "node server.js"],
    [`myregistry/api-server@${DIGEST}`, "node server.js"],
    ["registry.example.com/team/worker:2024-01", "run-worker"],
    ["registry.example.com/team/worker", "run-worker"],
    ["registry.example.com/team/other", undefined],
    ["app:v2", "app-v2"],
    ["app:v1", "app-any"],
    ["busybox:1.36", "/bin/busybox sh"],
    ["redis", undefined],
    ["Not A Reference", undefined],
  ];
  for (const [reference, expected] of cases) {
    it(`${reference} resolves to ${expected ?? "nothing"}`, () => assert.equal(commandOf(reference), expected));
  }

  it("returns the env and working directory, with the reference asked for", () => {
    assert.deepEqual(images.resolve("myregistry/api-server:v9"), {
      reference: "myregistry/api-server:v9",
      command: ["node", "server.js"],
      args: [],
      env: [
        { name: "MODE", value: "prod" },
        { name: "WORKERS", value: "4" },
      ],
      workingDir: "/srv/api",
    });
    assert.deepEqual(images.resolve("registry.example.com/team/worker:1")?.env, [{ name: "QUEUE", value: "jobs" }]);
  });
});

describe("built-in images", () => {
  const images = new ImageMap();

  for (const reference of ["kubelite/echo-server", "kubelite/echo-server:v1", "docker.io/kubelite/echo-server:latest", `kubelite/echo-server@${DIGEST}`]) {
    it(`${reference} runs the echo server script with this Node.js`, () => {
      const info = images.resolve(reference);
      assert.equal(info?.command[0], process.execPath);
      assert.match(info?.command[1] ?? "", /echo-server\.js$/);
      assert.ok(existsSync(info?.command[1] ?? ""), "the compiled script exists");
    });
  }

  it("kubelite/pause and registry.k8s.io/pause run the pause script", () => {
    for (const reference of ["kubelite/pause:3.9", "registry.k8s.io/pause:3.10"]) {
      const info = images.resolve(reference);
      assert.match(info?.command[1] ?? "", /pause\.js$/);
      assert.ok(existsSync(info?.command[1] ?? ""));
    }
  });

  it("busybox and alpine run sh only when the pod gives no command", () => {
    for (const reference of ["busybox", "busybox:1.36", "alpine:3.20", "docker.io/library/alpine"]) {
      assert.deepEqual(images.resolve(reference), { reference, command: [], args: ["sh"], env: [] });
    }
  });
});

describe("image map file", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "image-map-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("loads YAML and JSON files, built-ins included", async () => {
    const yamlFile = join(dir, "images.yaml");
    await writeFile(yamlFile, "web: {command: [web-server]}\n");
    const jsonFile = join(dir, "images.json");
    await writeFile(jsonFile, JSON.stringify({ "web:*": { command: ["web-json"] } }));
    assert.deepEqual((await ImageMap.fromFile(yamlFile)).resolve("web:1")?.command, ["web-server"]);
    assert.deepEqual((await ImageMap.fromFile(jsonFile)).resolve("web:1")?.command, ["web-json"]);
    assert.ok((await ImageMap.fromFile(yamlFile)).resolve("kubelite/echo-server"));
  });

  it("an empty file maps nothing", () => assert.deepEqual(parseImageMap("", "empty.yaml"), []));

  const errors: [name: string, text: string, message: string][] = [
    ["broken YAML", "web: [unclosed\n", "image map f.yaml: not valid YAML or JSON: "],
    ["a list at the top", "- web\n", "image map f.yaml: expected a mapping from image reference to {command, args, env, workingDir}"],
    ["an uppercase reference", "Web/App: {command: [x]}\n", 'image map f.yaml: "Web/App": invalid repository name "Web/App" (repository names must be lowercase)'],
    ["a bad tag", "web:-bad: {command: [x]}\n", 'image map f.yaml: "web:-bad": invalid tag "-bad"'],
    ["an unknown field", "web: {cmd: [x]}\n", 'image map f.yaml: "web": unknown field "cmd" (allowed: command, args, env, workingDir, image)'],
    ["a command that is not a list", "web: {command: web-server}\n", 'image map f.yaml: "web": command must be a list of strings'],
    ["no command and no args", "web: {env: {A: b}}\n", 'image map f.yaml: "web": needs a command, args or an image to run as'],
    ["an entry that is not a mapping", "web: web-server\n", 'image map f.yaml: "web": expected a mapping with command, args, env or workingDir'],
    ["env without names", "web: {command: [x], env: [{value: b}]}\n", 'image map f.yaml: "web": every env entry needs a name'],
    ["env as a string", "web: {command: [x], env: A=b}\n", 'image map f.yaml: "web": env must be a mapping of names to values or a list of {name, value}'],
  ];
  for (const [name, text, message] of errors) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => parseImageMap(text, "f.yaml"),
        (err: unknown) => err instanceof ImageMapError && err.message.startsWith(message),
      );
    });
  }

  it("names a missing file", async () => {
    const file = join(dir, "missing.yaml");
    await assert.rejects(ImageMap.fromFile(file), { message: `image map ${file}: no such file` });
  });
});
