// Image references as docker and containerd read them: "nginx" is docker.io/library/nginx:latest,
// "myregistry.io:5000/team/api:v1" names its registry, "@sha256:..." pins a digest. Parsing
// normalises the repository so that differently written references to one image compare equal.
// A tag of "*" is accepted where the caller allows wildcards (the image map file).

export interface ImageReference {
  /** Fully qualified repository: "docker.io/library/nginx". */
  repository: string;
  /** The tag as written; absent when none was given. */
  tag?: string;
  /** "sha256:..." when pinned by digest. */
  digest?: string;
}

export class InvalidReferenceError extends Error {}

const DEFAULT_DOMAIN = "docker.io";
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

export function parseReference(reference: string, options: { allowWildcardTag?: boolean } = {}): ImageReference {
  const text = reference.trim();
  if (text === "") throw new InvalidReferenceError("empty image reference");
  const at = text.indexOf("@");
  const digest = at >= 0 ? text.slice(at + 1) : undefined;
  const nameAndTag = at >= 0 ? text.slice(0, at) : text;
  if (digest !== undefined && !DIGEST.test(digest)) throw new InvalidReferenceError(`invalid digest ${JSON.stringify(digest)}`);

  const lastSlash = nameAndTag.lastIndexOf("/");
  const colon = nameAndTag.lastIndexOf(":");
  const tag = colon > lastSlash ? nameAndTag.slice(colon + 1) : undefined;
  const name = colon > lastSlash ? nameAndTag.slice(0, colon) : nameAndTag;
  if (tag !== undefined && !TAG.test(tag) && !(options.allowWildcardTag && tag === "*")) {
    throw new InvalidReferenceError(`invalid tag ${JSON.stringify(tag)}`);
  }
  return { repository: normaliseRepository(name), ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

function normaliseRepository(name: string): string {
  const slash = name.indexOf("/");
  const first = slash >= 0 ? name.slice(0, slash) : "";
  const hasDomain = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase());
  let domain = hasDomain ? first : DEFAULT_DOMAIN;
  let path = hasDomain ? name.slice(slash + 1) : name;
  if (hasDomain && !DOMAIN.test(domain)) throw new InvalidReferenceError(`invalid registry ${JSON.stringify(domain)}`);
  if (domain === "index.docker.io") domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes("/")) path = `library/${path}`;
  for (const component of path.split("/")) {
    if (!COMPONENT.test(component)) {
      const hint = component !== component.toLowerCase() ? " (repository names must be lowercase)" : "";
      throw new InvalidReferenceError(`invalid repository name ${JSON.stringify(name)}${hint}`);
    }
  }
  return `${domain}/${path}`;
}

/** The canonical form: repository, tag ("latest" when neither tag nor digest was given) and digest. */
export function canonicalReference(ref: ImageReference): string {
  const tag = ref.tag ?? (ref.digest ? undefined : "latest");
  return `${ref.repository}${tag ? `:${tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}
