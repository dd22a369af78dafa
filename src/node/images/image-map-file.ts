// The node's image map file (--image-map FILE), YAML or JSON: a mapping from image reference to the
// process that stands for it, for example
//
//   myregistry/api-server:            # any tag; "myregistry/api-server:*" says the same
//     command: [node, /srv/api/server.js]
//     args: [--port, "8080"]
//     env: {NODE_ENV: production}     # or a list of {name, value}
//     workingDir: /srv/api
//   nginx:1.25: {command: [/usr/sbin/nginx, -g, "daemon off;"]}
//   myregistry/web: {image: kubelite/echo-server, env: {PORT: "8080"}}   # runs as another image
//
// `command` is the image's ENTRYPOINT and `args` its CMD. Anything else is an ImageMapError whose
// message names the file, the entry and the problem, for the CLI to print before exiting 2.
import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import { InvalidReferenceError, parseReference } from "./image-reference.js";

export interface MappedImage {
  command: string[];
  args: string[];
  env: { name: string; value: string }[];
  workingDir?: string;
  /** Run as this other image (built-in or mapped), with the fields above laid over it. */
  image?: string;
}

export interface ImageMapEntry {
  /** The reference as written in the file (a trailing ":*" allowed). */
  reference: string;
  image: MappedImage;
}

export class ImageMapError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`image map ${file}: ${problem}`);
  }
}

const FIELDS = new Set(["command", "args", "env", "workingDir", "image"]);

export async function loadImageMapFile(file: string): Promise<ImageMapEntry[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImageMapError(file, code === "ENOENT" ? "no such file" : `cannot read: ${(err as Error).message}`);
  }
  return parseImageMap(text, file);
}

export function parseImageMap(text: string, file: string): ImageMapEntry[] {
  const document = parseDocument(text);
  const syntax = document.errors[0];
  if (syntax) throw new ImageMapError(file, `not valid YAML or JSON: ${syntax.message.split("\n")[0]}`);
  const root: unknown = document.toJS();
  if (root === null || root === undefined) return [];
  if (!isRecord(root)) throw new ImageMapError(file, "expected a mapping from image reference to {command, args, env, workingDir}");
  return Object.entries(root).map(([reference, value]) => ({ reference, image: parseEntry(file, reference, value) }));
}

function parseEntry(file: string, reference: string, value: unknown): MappedImage {
  const fail = (problem: string) => new ImageMapError(file, `${JSON.stringify(reference)}: ${problem}`);
  try {
    parseReference(reference, { allowWildcardTag: true });
  } catch (err) {
    if (err instanceof InvalidReferenceError) throw fail(err.message);
    throw err;
  }
  if (!isRecord(value)) throw fail("expected a mapping with command, args, env or workingDir");
  const unknown = Object.keys(value).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) throw fail(`unknown field ${JSON.stringify(unknown[0])} (allowed: command, args, env, workingDir, image)`);
  const command = stringList(value.command, "command", fail);
  const args = stringList(value.args, "args", fail);
  const image = value.image;
  if (image !== undefined && (typeof image !== "string" || image === "")) throw fail("image must be an image reference");
  if (command.length === 0 && args.length === 0 && image === undefined) throw fail("needs a command, args or an image to run as");
  const workingDir = value.workingDir;
  if (workingDir !== undefined && (typeof workingDir !== "string" || workingDir === "")) throw fail("workingDir must be a non-empty string");
  return { command, args, env: envList(value.env, fail), ...(workingDir === undefined ? {} : { workingDir }), ...(image === undefined ? {} : { image }) };
}

function stringList(value: unknown, field: string, fail: (problem: string) => Error): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) throw fail(`${field} must be a list of strings`);
  return value as string[];
}

function envList(value: unknown, fail: (problem: string) => Error): { name: string; value: string }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) && !isRecord(value)) throw fail("env must be a mapping of names to values or a list of {name, value}");
  const pairs: [unknown, unknown][] = Array.isArray(value)
    ? value.map((item) => (isRecord(item) ? [item.name, item.value ?? ""] : [undefined, undefined]))
    : Object.entries(value);
  return pairs.map(([name, v]) => {
    if (typeof name !== "string" || name === "") throw fail("every env entry needs a name");
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw fail(`env ${name} must have a string value`);
    return { name, value: String(v) };
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
