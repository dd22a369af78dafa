// Which process an image reference stands for on this node: the node's image map file first, then
// the built-in images. Matching, from most to least specific (the file winning at each step):
//   1. the reference exactly as written;
//   2. the same image after normalisation ("nginx" = "docker.io/library/nginx:latest");
//   3. an entry written without a tag, or with the tag "*", matches its repository with any tag or
//      digest ("myregistry/api-server" matches "myregistry/api-server:v1.2.3" and "...@sha256:...").
import type { ImageInfo } from "../runtime/runtime.js";
import { builtinImages } from "./builtin-images.js";
import type { ImageResolver } from "./image-resolver.js";
import { loadImageMapFile, type ImageMapEntry } from "./image-map-file.js";
import { canonicalReference, parseReference, type ImageReference } from "./image-reference.js";

interface Candidate {
  entry: ImageMapEntry;
  parsed: ImageReference;
  anyTag: boolean;
}

export class ImageMap implements ImageResolver {
  private readonly candidates: Candidate[];

  /** Entries are searched before the built-in images (pass includeBuiltins: false to leave those out). */
  constructor(entries: readonly ImageMapEntry[] = [], options: { includeBuiltins?: boolean } = {}) {
    const all = [...entries, ...(options.includeBuiltins === false ? [] : builtinImages())];
    this.candidates = all.map((entry) => {
      const parsed = parseReference(entry.reference, { allowWildcardTag: true });
      return { entry, parsed, anyTag: parsed.tag === "*" || (parsed.tag === undefined && parsed.digest === undefined) };
    });
  }

  /** The built-in images plus those of an image map file; throws ImageMapError for a bad file. */
  static async fromFile(file: string): Promise<ImageMap> {
    return new ImageMap(await loadImageMapFile(file));
  }

  resolve(reference: string): ImageInfo | undefined {
    return this.resolveWithin(reference, 0);
  }

  /** An entry naming another image runs as that image, its own fields laid over (at most a few hops). */
  private resolveWithin(reference: string, depth: number): ImageInfo | undefined {
    const found = this.match(reference);
    if (!found || depth > 8) return undefined;
    const { image } = found.entry;
    const base = image.image ? this.resolveWithin(image.image, depth + 1) : undefined;
    if (image.image && !base) return undefined;
    const env = new Map((base?.env ?? []).map((e) => [e.name, e.value]));
    for (const e of image.env) env.set(e.name, e.value);
    const command = image.command.length ? image.command : (base?.command ?? []);
    const args = image.args.length ? image.args : image.command.length ? [] : (base?.args ?? []);
    const workingDir = image.workingDir ?? base?.workingDir;
    return {
      reference,
      command: [...command],
      args: [...args],
      env: [...env].map(([name, value]) => ({ name, value })),
      ...(workingDir === undefined ? {} : { workingDir }),
    };
  }

  private match(reference: string): Candidate | undefined {
    const exact = this.candidates.find((c) => c.entry.reference === reference);
    if (exact) return exact;
    let wanted: ImageReference;
    try {
      wanted = parseReference(reference);
    } catch {
      return undefined;
    }
    const canonical = canonicalReference(wanted);
    return (
      this.candidates.find((c) => c.parsed.tag !== "*" && canonicalReference(c.parsed) === canonical) ??
      this.candidates.find((c) => c.anyTag && c.parsed.repository === wanted.repository)
    );
  }
}
