// Merging an applied configuration into the live object (structured-merge-diff's
// TypedValue.Merge with "keep the right-hand side"): leaves (scalars, atomic lists/maps) take the
// applied value; structs and maps merge key by key; list-maps and sets merge item by item, in
// upstream's order (items the configuration names follow its order, live-only items stay where
// they were relative to them). A `null` leaf in the configuration removes the field (upstream
// stores the null, which the typed object then drops). Pure: the result shares nothing with inputs.
import { badRequest } from "../errors.js";
import { serializeElement } from "./field-path.js";
import { concrete, isAtomic, listItemElement, type ConcreteType, type FieldType, type TypeResolver } from "./field-type.js";
import { isJsonObject, jsonClone, jsonKind } from "./json-value.js";

export function mergeApplied(live: unknown, applied: unknown, type: FieldType, types: TypeResolver): unknown {
  return jsonClone(mergeNode(live, applied, type, types));
}

function mergeNode(live: unknown, applied: unknown, type: FieldType, types: TypeResolver): unknown {
  if (applied === undefined) return live;
  const resolved = concrete(type, applied);
  if (isLeaf(live, applied, resolved)) return applied === null ? undefined : applied;
  if (resolved.kind === "list") return mergeItems(asList(live), asList(applied), resolved, types);
  return mergeEntries(asMap(live), asMap(applied), resolved, types);
}

function isLeaf(live: unknown, applied: unknown, type: ConcreteType): boolean {
  if (isAtomic(type)) return true;
  if (isEmpty(live) && isEmpty(applied)) return true;
  const shape = type.kind === "list" ? "array" : "object";
  return [live, applied].some((value) => value !== undefined && value !== null && jsonKind(value) !== shape);
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isJsonObject(value) && Object.keys(value).length === 0;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asMap = (value: unknown): Record<string, unknown> => (isJsonObject(value) ? value : {});

function mergeEntries(live: Record<string, unknown>, applied: Record<string, unknown>, parent: ConcreteType, types: TypeResolver): unknown {
  const out: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(live), ...Object.keys(applied)])) {
    const liveValue = Object.hasOwn(live, key) ? live[key] : undefined;
    const appliedValue = Object.hasOwn(applied, key) ? applied[key] : undefined;
    const merged = mergeNode(liveValue, appliedValue, types.fieldType(parent, key), types);
    if (merged !== undefined) out[key] = merged;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

interface Indexed {
  ids: string[];
  byId: Map<string, unknown>;
}

function index(items: unknown[], list: ConcreteType, allowDuplicates: boolean): Indexed {
  const ids = items.map((item) => serializeElement(listItemElement(list, item)));
  const byId = new Map<string, unknown>();
  ids.forEach((id, i) => {
    if (byId.has(id) && !allowDuplicates) throw badRequest(`duplicate entries for key ${id}`);
    if (!byId.has(id)) byId.set(id, items[i]);
  });
  return { ids, byId };
}

/** upstream mergingWalker.visitListItems: walks both lists at once, emitting shared items in applied order. */
function mergeItems(live: unknown[], applied: unknown[], list: ConcreteType, types: TypeResolver): unknown {
  const walk = new ListWalk(live, index(live, list, true), index(applied, list, false), (liveItem, appliedItem) =>
    mergeNode(liveItem, appliedItem, types.itemType(list), types));
  while (walk.step());
  return walk.out.length > 0 ? walk.out : undefined;
}

class ListWalk {
  readonly out: unknown[] = [];
  private l = 0;
  private r = 0;
  private readonly shared: string[];
  private nextShared: string | undefined;
  private readonly merged = new Set<string>();

  constructor(
    private readonly live: unknown[],
    private readonly lhs: Indexed,
    private readonly rhs: Indexed,
    private readonly mergeItem: (liveItem: unknown, appliedItem: unknown) => unknown,
  ) {
    this.shared = rhs.ids.filter((id) => lhs.byId.has(id));
    this.nextShared = this.shared.shift();
  }

  /** Emits at least one item or skips one live item; false once both lists are done. */
  step(): boolean {
    const liveId = this.lhs.ids[this.l];
    const appliedId = this.rhs.ids[this.r];
    if (liveId === undefined && appliedId === undefined) return false;
    if (liveId !== undefined && appliedId !== undefined) {
      if (liveId === appliedId) return this.takeBoth(liveId);
      // A shared item that is not the next one the applied order wants: it comes later.
      if (this.rhs.byId.has(liveId) && this.nextShared !== undefined && this.nextShared !== liveId) return this.skipLive();
    }
    if (liveId !== undefined) {
      if (!this.rhs.byId.has(liveId)) return this.takeLive(liveId);
      if (this.merged.has(liveId)) this.l++;
    }
    if (appliedId !== undefined) this.takeApplied(appliedId);
    return true;
  }

  private takeBoth(id: string): boolean {
    this.emit(id, this.lhs.byId.get(id));
    this.l++;
    this.r++;
    this.nextShared = this.shared.shift();
    return true;
  }

  private skipLive(): boolean {
    this.l++;
    return true;
  }

  private takeLive(id: string): boolean {
    this.emit(id, this.live[this.l]);
    this.l++;
    return true;
  }

  private takeApplied(id: string): void {
    this.emit(id, this.lhs.byId.get(id));
    this.r++;
    if (this.nextShared === id) this.nextShared = this.shared.shift();
  }

  private emit(id: string, liveItem: unknown): void {
    this.merged.add(id);
    const item = this.mergeItem(liveItem, this.rhs.byId.get(id));
    if (item !== undefined) this.out.push(item);
  }
}
