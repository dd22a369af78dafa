// Element order of merged lists in a strategic merge patch, as upstream's strategicpatch orders
// them: items the patch mentions follow the patch's (or $setElementOrder's) order, items only the
// server has keep theirs, and the two runs are interleaved using the live list's order
// (normalizeElementOrder + mergeSortedSlice). Without $setElementOrder this puts items new to the
// list before server-only items they cannot be placed against, exactly as upstream does.
// Guarantee: pure functions; inputs are never mutated.
import { isJsonObject } from "./json-value.js";
import { DELETE, PATCH_DIRECTIVE, SET_ELEMENT_ORDER_PREFIX, hasPatchDirective } from "./strategic-directives.js";
import { badPatch, noMergeKey } from "./strategic-errors.js";

/** How list items are identified: by the merge key's value for maps, by value for primitives. */
export type Identity = (item: unknown) => unknown;

export function identity(mergeKey: string | undefined): Identity {
  if (mergeKey === undefined) return (item) => item;
  return (item) => (isJsonObject(item) ? item[mergeKey] : undefined);
}

function indexIn(list: readonly unknown[], item: unknown, id: Identity): number {
  const wanted = id(item);
  return list.findIndex((candidate) => id(candidate) === wanted);
}

/** Splits items into those present in `list` and those that are not, keeping their order. */
export function partitionByPresence(items: readonly unknown[], list: readonly unknown[], mergeKey: string | undefined): [unknown[], unknown[]] {
  if (mergeKey !== undefined) {
    for (const item of items) requireMergeKey(item, mergeKey);
    for (const item of list) if (!isJsonObject(item)) throw badPatch(`value for key ${mergeKey} is not a map`);
  }
  const id = identity(mergeKey);
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const item of items) (indexIn(list, item, id) >= 0 ? present : absent).push(item);
  return [present, absent];
}

function requireMergeKey(item: unknown, mergeKey: string): void {
  if (!isJsonObject(item) || !Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
}

/**
 * Orders the merged list: patch items sorted by `patchOrder`, server-only items sorted by
 * `serverOrder`, then interleaved by their positions in `serverOrder`.
 */
export function normalizeElementOrder(
  patchItems: readonly unknown[], serverOnly: readonly unknown[],
  patchOrder: readonly unknown[], serverOrder: readonly unknown[], mergeKey: string | undefined,
): unknown[] {
  const sortedPatch = sortByOrder(patchItems, patchOrder, mergeKey);
  const sortedServer = sortByOrder(serverOnly, serverOrder, mergeKey);
  return interleave(sortedServer, sortedPatch, serverOrder, identity(mergeKey));
}

/** Stable sort by position in `order`; items `order` lacks go last, and `$patch: delete` items after them. */
function sortByOrder(items: readonly unknown[], order: readonly unknown[], mergeKey: string | undefined): unknown[] {
  if (mergeKey !== undefined) {
    for (const item of [...items, ...order]) requireMergeKey(item, mergeKey);
  }
  const id = identity(mergeKey);
  const isDelete = (item: unknown) => mergeKey !== undefined && hasPatchDirective(item) && item[PATCH_DIRECTIVE] === DELETE;
  const rank = (item: unknown) => {
    if (isDelete(item)) return Number.MAX_SAFE_INTEGER;
    const index = indexIn(order, item, id);
    return index < 0 ? Number.MAX_SAFE_INTEGER - 1 : index;
  };
  return items.map((item, position) => ({ item, position, rank: rank(item) }))
    .sort((a, b) => a.rank - b.rank || a.position - b.position)
    .map(({ item }) => item);
}

/** upstream mergeSortedSlice: a server-only item goes first only when both are in the live order and it is earlier. */
function interleave(left: readonly unknown[], right: readonly unknown[], serverOrder: readonly unknown[], id: Identity): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = indexIn(serverOrder, left[i], id);
      const ri = indexIn(serverOrder, right[j], id);
      out.push(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
    }
  }
  return out;
}

/**
 * upstream validatePatchWithSetOrderList: the patch list's items (deletions aside) must appear in
 * the $setElementOrder list, in the same relative order.
 */
export function validateSetElementOrder(patchList: readonly unknown[], order: readonly unknown[], mergeKey: string | undefined): void {
  if (patchList.length === 0 || order.length === 0) return;
  const items = mergeKey === undefined ? patchList : patchList.filter((item) => !(hasPatchDirective(item) && item[PATCH_DIRECTIVE] === DELETE));
  const equal = (a: unknown, b: unknown) => {
    if (mergeKey === undefined) return a === b;
    requireMergeKey(a, mergeKey);
    requireMergeKey(b, mergeKey);
    return identity(mergeKey)(a) === identity(mergeKey)(b);
  };
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (hasPatchDirective(items[p])) p++;
    else {
      if (equal(items[p], order[o])) p++;
      o++;
    }
  }
  if (p < items.length) {
    throw badPatch(`The order in patch list:\n${JSON.stringify(patchList)}\n doesn't match ${SET_ELEMENT_ORDER_PREFIX} list:\n${JSON.stringify(order)}\n`);
  }
}
