// The JSON the watch cache serves for a stored value, made without decoding and re-encoding it: a
// stored value is JSON.stringify output without metadata.resourceVersion (see stored-object.ts), so
// JSON.stringify(decodeFromStorage(value, revision)) is the value with `"resourceVersion":"N"`
// added as the last key of the top-level metadata. This finds where metadata ends by stepping over
// its members (strings skipped, nesting counted) and splices the key in. Any other shape (no
// metadata object, a resourceVersion already there, not an object) gives undefined: the caller
// encodes. The same walk drops metadata.managedFields for readers that never look at them.

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN = 123;
const CLOSE = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const METADATA_KEY = '"metadata":';
const RESOURCE_VERSION_KEY = '"resourceVersion":';
const MANAGED_FIELDS_KEY = '"managedFields":';

/** The value with metadata.resourceVersion set to the revision, or undefined (see above). */
export function storedJsonWithResourceVersion(value: string, revision: number): string | undefined {
  const metadata = metadataStart(value);
  if (metadata < 0) return undefined;
  const found = findMember(value, metadata, RESOURCE_VERSION_KEY);
  if (found === undefined || found.keyStart >= 0) return undefined;
  const end = found.objectEnd;
  const empty = value.charCodeAt(end - 1) === OPEN;
  return `${value.slice(0, end)}${empty ? "" : ","}${resourceVersionMember(revision)}${value.slice(end)}`;
}

/**
 * Whether storedJsonWithResourceVersion(value, revision) is `json`: false at once when the lengths
 * cannot match (most writes change something), undefined for the shapes it leaves to the encoder.
 */
export function isStoredJsonWithResourceVersion(value: string, revision: number, json: string): boolean | undefined {
  // The splice adds the member, with a comma unless metadata was empty.
  const extra = json.length - value.length - resourceVersionMember(revision).length;
  if (extra !== 0 && extra !== 1) return false;
  const spliced = storedJsonWithResourceVersion(value, revision);
  return spliced === undefined ? undefined : spliced === json;
}

function resourceVersionMember(revision: number): string {
  return `"resourceVersion":"${revision}"`;
}

/**
 * The JSON without metadata.managedFields (JSON.stringify output, as the watch cache holds), as
 * upstream's kube-scheduler and controllers drop them from their informers' objects: most of a
 * pod's bytes that a reader on another thread would copy and parse for nothing. Other shapes come
 * back unchanged.
 */
export function jsonWithoutManagedFields(json: string): string {
  const metadata = metadataStart(json);
  if (metadata < 0) return json;
  const found = findMember(json, metadata, MANAGED_FIELDS_KEY, true);
  if (found === undefined || found.keyStart < 0) return json;
  const { keyStart, valueEnd } = found;
  // Take the comma on one side with it: the one before, or after when it is the first member.
  if (json.charCodeAt(keyStart - 1) === COMMA) return json.slice(0, keyStart - 1) + json.slice(valueEnd + 1);
  return json.slice(0, keyStart) + json.slice(json.charCodeAt(valueEnd + 1) === COMMA ? valueEnd + 2 : valueEnd + 1);
}

/** Index of the brace opening the top-level metadata object, or -1. */
function metadataStart(json: string): number {
  if (json.charCodeAt(0) !== OPEN) return -1;
  const found = findMember(json, 0, METADATA_KEY);
  if (found === undefined || found.keyStart < 0 || json.charCodeAt(found.valueStart) !== OPEN) return -1;
  return found.valueStart;
}

interface Member {
  /** Where the member's key starts; -1 when the object has no such member. */
  keyStart: number;
  valueStart: number;
  /** Index of the value's last character (-1 unless asked for). */
  valueEnd: number;
  /** Index of the object's closing brace, when the member is not there. */
  objectEnd: number;
}

/**
 * Steps over the members of the object opening at `start` (JSON.stringify output: no whitespace)
 * to the one whose key and colon are `key` (stepping over its value too when `wantEnd`); undefined
 * when the text is not such an object.
 */
function findMember(json: string, start: number, key: string, wantEnd = false): Member | undefined {
  let i = start + 1;
  if (json.charCodeAt(i) === CLOSE) return { keyStart: -1, valueStart: -1, valueEnd: -1, objectEnd: i };
  for (;;) {
    if (json.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = stringEnd(json, i);
    if (keyEnd < 0) return undefined;
    const valueStart = keyEnd + 2;
    const found = json.startsWith(key, i);
    // The value of the member looked for is stepped over only when the caller needs its end.
    if (found && !wantEnd) return { keyStart: i, valueStart, valueEnd: -1, objectEnd: -1 };
    const end = valueEnd(json, valueStart);
    if (end < 0) return undefined;
    if (found) return { keyStart: i, valueStart, valueEnd: end, objectEnd: -1 };
    const next = json.charCodeAt(end + 1);
    if (next === CLOSE) return { keyStart: -1, valueStart: -1, valueEnd: -1, objectEnd: end + 1 };
    if (next !== COMMA) return undefined;
    i = end + 2;
  }
}

/** Index of the last character of the value that starts at `start`, or -1. */
function valueEnd(json: string, start: number): number {
  const c = json.charCodeAt(start);
  if (c === QUOTE) return stringEnd(json, start);
  if (c === OPEN || c === OPEN_ARRAY) return containerEnd(json, start);
  // A number, true, false or null runs to the next comma or closing bracket.
  for (let i = start; i < json.length; i++) {
    const d = json.charCodeAt(i);
    if (d === COMMA || d === CLOSE || d === CLOSE_ARRAY) return i - 1;
  }
  return -1;
}

/** Index of the bracket closing the array or object that opens at `start`, or -1. */
function containerEnd(json: string, start: number): number {
  let depth = 0;
  for (let i = start; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(json, i);
      if (i < 0) return -1;
    } else if (c === OPEN || c === OPEN_ARRAY) {
      depth++;
    } else if (c === CLOSE || c === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
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
