// The JSON the watch cache serves for a stored value, made without decoding and re-encoding it: a
// stored value is JSON.stringify output without metadata.resourceVersion (see stored-object.ts), so
// JSON.stringify(decodeFromStorage(value, revision)) is the value with `"resourceVersion":"N"`
// added as the last key of the top-level metadata. This finds where metadata ends by scanning the
// value (strings skipped, nesting counted) and splices the key in. Any other shape (no metadata
// object, a resourceVersion already there, not an object) gives undefined: the caller encodes.

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN = 123;
const CLOSE = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const METADATA_KEY = '"metadata":{';
const RESOURCE_VERSION_KEY = '"resourceVersion":';

/** The value with metadata.resourceVersion set to the revision, or undefined (see above). */
export function storedJsonWithResourceVersion(value: string, revision: number): string | undefined {
  if (value.charCodeAt(0) !== OPEN) return undefined;
  const end = metadataEnd(value);
  if (end === undefined) return undefined;
  const empty = value.charCodeAt(end - 1) === OPEN;
  return `${value.slice(0, end)}${empty ? "" : ","}"resourceVersion":"${revision}"${value.slice(end)}`;
}

/** Index of the top-level metadata object's closing brace, or undefined. */
function metadataEnd(json: string): number | undefined {
  let depth = 0;
  let inMetadata = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      // A key at depth 1 is followed by ':'; a value never is, so this only matches the key.
      if (depth === 1 && !inMetadata && json.startsWith(METADATA_KEY, i)) {
        inMetadata = true;
        depth++;
        i += METADATA_KEY.length - 1;
        continue;
      }
      if (inMetadata && depth === 2 && json.startsWith(RESOURCE_VERSION_KEY, i)) return undefined;
      i = stringEnd(json, i);
      if (i < 0) return undefined;
    } else if (c === OPEN || c === OPEN_ARRAY) {
      depth++;
    } else if (c === CLOSE || c === CLOSE_ARRAY) {
      depth--;
      if (inMetadata && depth === 1) return i;
    }
  }
  return undefined;
}

/** Index of the quote closing the string that opens at `start`, or -1: the next quote not escaped. */
function stringEnd(json: string, start: number): number {
  let i = json.indexOf('"', start + 1);
  while (i > 0) {
    let backslashes = 0;
    while (json.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i;
    i = json.indexOf('"', i + 1);
  }
  return -1;
}
