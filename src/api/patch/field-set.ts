// A set of field paths stored as a tree, structured-merge-diff's fieldpath.Set: at each node,
// `members` are the path elements that are themselves in the set and `children` hold the sets
// below elements that have members further down. An element can be both (a list item that is
// owned and has owned fields): fieldsV1 writes that as `".": {}` inside the element's object.
// Guarantees: set operations never mutate their operands and return new sets, except that a
// difference taking nothing away returns the set itself; only `insert` mutates, and only the set
// being built; a child set is never empty.
import { isJsonObject, jsonClone, type JsonObject } from "./json-value.js";
import { compareElements, parseElement, serializeElement, type FieldPath, type PathElement } from "./field-path.js";

/** `{}`, the value of every owned leaf and every `"."`: one frozen object, as nothing writes into a fieldsV1 once built. */
export const FIELDS_V1_LEAF: JsonObject = Object.freeze({}) as JsonObject;

interface Child {
  element: PathElement;
  set: FieldSet;
}

const NO_MEMBERS: ReadonlyMap<string, PathElement> = new Map();
const NO_CHILDREN: ReadonlyMap<string, Child> = new Map();

export class FieldSet {
  // Made on first use: most sets in a tree are leaves with members and no children.
  private memberMap: Map<string, PathElement> | undefined;
  private childMap: Map<string, Child> | undefined;
  /** The stored fieldsV1 this set was read from, which toFieldsV1 would write again (see fromStoredFieldsV1). */
  private source: JsonObject | undefined;

  private get members(): ReadonlyMap<string, PathElement> {
    return this.memberMap ?? NO_MEMBERS;
  }

  private get children(): ReadonlyMap<string, Child> {
    return this.childMap ?? NO_CHILDREN;
  }

  private setMember(id: string, element: PathElement): void {
    this.source = undefined;
    (this.memberMap ??= new Map()).set(id, element);
  }

  private setChild(id: string, child: Child): void {
    this.source = undefined;
    (this.childMap ??= new Map()).set(id, child);
  }

  static of(paths: readonly FieldPath[]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  /** Adds a path (its parents are not added). The empty path is the whole object: never tracked. */
  insert(path: FieldPath): void {
    this.source = undefined;
    let set: FieldSet = this;
    const last = path.length - 1;
    for (let i = 0; i < last; i++) set = set.descend(path[i] as PathElement);
    const element = path[last];
    if (element) set.setMember(serializeElement(element), element);
  }

  /** insert(path) for a path whose elements' serialised forms are known: ids[i] is elements[i]'s. */
  insertSerialized(elements: readonly PathElement[], ids: readonly string[]): void {
    this.source = undefined;
    let set: FieldSet = this;
    const last = elements.length - 1;
    if (last < 0) return;
    for (let i = 0; i < last; i++) set = set.descend(elements[i] as PathElement, ids[i]);
    set.setMember(ids[last] as string, elements[last] as PathElement);
  }

  private descend(element: PathElement, id = serializeElement(element)): FieldSet {
    let child = this.children.get(id);
    if (!child) {
      child = { element, set: new FieldSet() };
      this.setChild(id, child);
    }
    return child.set;
  }

  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  hasMember(element: PathElement): boolean {
    return this.members.has(serializeElement(element));
  }

  /** The paths below an element (upstream WithPrefix), or undefined when there are none. */
  childSet(element: PathElement): FieldSet | undefined {
    return this.children.get(serializeElement(element))?.set;
  }

  has(path: FieldPath): boolean {
    const [first, ...rest] = path;
    if (!first) return false;
    if (rest.length === 0) return this.hasMember(first);
    return this.childSet(first)?.has(rest) ?? false;
  }

  /** Elements that have children, for walkers that need the tree's shape. */
  childElements(): PathElement[] {
    return [...this.children.values()].map((child) => child.element);
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const source of [this, other]) {
      for (const [id, element] of source.members) out.setMember(id, element);
    }
    for (const [id, child] of [...this.children, ...other.children]) {
      const existing = out.children.get(id);
      out.setChild(id, { element: child.element, set: existing ? existing.set.union(child.set) : child.set });
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [id, element] of this.members) if (other.members.has(id)) out.setMember(id, element);
    for (const [id, child] of this.children) {
      const theirs = other.children.get(id);
      if (theirs) out.addChild(id, child.element, child.set.intersection(theirs.set));
    }
    return out;
  }

  /** Members of this set not in `other`; a member of `other` does not remove this set's children below it. */
  difference(other: FieldSet): FieldSet {
    return this.subtract(other, false);
  }

  /** Like difference, but a member of `other` also removes everything below it here. */
  recursiveDifference(other: FieldSet): FieldSet {
    return this.subtract(other, true);
  }

  /** Returns this set itself when `other` takes nothing from it, so unchanged sets keep their source. */
  private subtract(other: FieldSet, recursive: boolean): FieldSet {
    if (this.isEmpty() || other.isEmpty()) return this;
    const out = new FieldSet();
    let same = true;
    for (const [id, element] of this.members) {
      if (!other.members.has(id)) out.setMember(id, element);
      else same = false;
    }
    for (const [id, child] of this.children) {
      if (recursive && other.members.has(id)) {
        same = false;
        continue;
      }
      const theirs = other.children.get(id);
      const rest = theirs ? child.set.subtract(theirs.set, recursive) : child.set;
      if (rest !== child.set) same = false;
      out.addChild(id, child.element, rest);
    }
    return same ? this : out;
  }

  private addChild(id: string, element: PathElement, set: FieldSet): void {
    if (!set.isEmpty()) this.setChild(id, { element, set });
  }

  /** A copy whose child sets are replaced by `transform`'s, which may also make their elements members. */
  transformChildren(transform: (element: PathElement, set: FieldSet) => { set: FieldSet; member: boolean }): FieldSet {
    const out = new FieldSet();
    for (const [id, element] of this.members) out.setMember(id, element);
    for (const [id, child] of this.children) {
      const { set, member } = transform(child.element, child.set);
      if (member) out.setMember(id, child.element);
      out.addChild(id, child.element, set);
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    return JSON.stringify(this.toFieldsV1()) === JSON.stringify(other.toFieldsV1());
  }

  /** Every path in the set: members first, then children's paths, each in upstream's order. */
  paths(prefix: FieldPath = []): FieldPath[] {
    const members = sorted([...this.members.values()]).map((element) => [...prefix, element]);
    const below = this.sortedChildren().flatMap((child) => child.set.paths([...prefix, child.element]));
    return [...members, ...below];
  }

  private sortedChildren(): Child[] {
    return [...this.children.values()].sort((a, b) => compareElements(a.element, b.element));
  }

  /**
   * The fieldsV1 JSON form, keys in upstream's order. A set read from stored fieldsV1 gives them
   * back: frozen ones (the watch cache's) as they are, others copied.
   */
  toFieldsV1(): JsonObject {
    if (this.source) return Object.isFrozen(this.source) ? this.source : jsonClone(this.source);
    const out: JsonObject = {};
    this.writeFieldsV1(out);
    return out;
  }

  /** Adds this set's fieldsV1 entries to `out`. */
  private writeFieldsV1(out: JsonObject): void {
    const entries: Array<{ element: PathElement; id: string; below: FieldSet | undefined; member: boolean }> = [];
    for (const [id, element] of this.members) entries.push({ element, id, below: this.children.get(id)?.set, member: true });
    for (const [id, child] of this.children) {
      if (!this.members.has(id)) entries.push({ element: child.element, id, below: child.set, member: false });
    }
    sortByElement(entries);
    for (const { id, below, member } of entries) {
      if (!below) {
        out[id] = FIELDS_V1_LEAF;
        continue;
      }
      const value: JsonObject = {};
      // A member with fields below it is written as `".": {}` beside them.
      if (member) value["."] = FIELDS_V1_LEAF;
      below.writeFieldsV1(value);
      out[id] = value;
    }
  }

  /** Parses fieldsV1; throws on malformed input. Unknown element kinds are skipped, as upstream does. */
  static fromFieldsV1(fields: unknown): FieldSet {
    if (!isJsonObject(fields)) throw new Error("fieldsV1 must be a JSON object");
    const set = new FieldSet();
    for (const text in fields) {
      if (text === ".") continue;
      const element = parseElement(text);
      if (!element) continue;
      set.readEntry(text, element, fields[text]);
    }
    return set;
  }

  /**
   * fromFieldsV1 for fieldsV1 that this server wrote (a stored object's managedFields): those are
   * already in upstream's order, so writing the set out again gives them back instead of
   * re-encoding. Frozen fieldsV1 (the watch cache's, which later revisions keep while their
   * manager's fields stay the same, as a Lease's renewals do) are read once: sets are never changed
   * after they are built, so one serves every reader.
   */
  static fromStoredFieldsV1(fields: unknown): FieldSet {
    const frozen = isJsonObject(fields) && Object.isFrozen(fields);
    const known = frozen ? storedSets.get(fields) : undefined;
    if (known) return known;
    const set = FieldSet.fromFieldsV1(fields);
    set.source = fields as JsonObject;
    if (frozen) storedSets.set(fields, set);
    return set;
  }

  private readEntry(text: string, element: PathElement, value: unknown): void {
    const below = FieldSet.fromFieldsV1(value);
    // A field's text is already its serialised form; other kinds are normalised (key order, spacing).
    const id = "field" in element ? text : serializeElement(element);
    // An empty object, or one with ".", marks the element itself as a member.
    if (below.isEmpty() || (isJsonObject(value) && Object.hasOwn(value, "."))) this.setMember(id, element);
    this.addChild(id, element, below);
  }
}

/**
 * Sorts in upstream's order, in place. A set's entries are mostly few, which insertion sorts
 * without the copy Array.prototype.sort makes first; many (a large map's keys) are sorted by it.
 */
function sortByElement<T extends { element: PathElement }>(entries: T[]): void {
  if (entries.length > 16) {
    entries.sort((a, b) => compareElements(a.element, b.element));
    return;
  }
  for (let i = 1; i < entries.length; i++) {
    const entry = entries[i] as T;
    let j = i - 1;
    while (j >= 0 && compareElements((entries[j] as T).element, entry.element) > 0) {
      entries[j + 1] = entries[j] as T;
      j--;
    }
    entries[j + 1] = entry;
  }
}

/** Sets read from frozen fieldsV1, by those fieldsV1. */
const storedSets = new WeakMap<JsonObject, FieldSet>();

function sorted(elements: PathElement[]): PathElement[] {
  return [...elements].sort(compareElements);
}
