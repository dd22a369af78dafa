// Deep freezing of decoded objects that several readers share (the watch cache's decoded objects,
// informer caches): a reader that tries to mutate one fails loudly instead of corrupting the others.

/** Freezes obj and everything reachable from it; returns obj. */
export function deepFreeze<T>(obj: T): T {
  if (obj === null || typeof obj !== "object" || Object.isFrozen(obj)) return obj;
  Object.freeze(obj);
  // Loops that allocate no key or value arrays: every write's decoded object passes through here.
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) deepFreeze(obj[i] as unknown);
    return obj;
  }
  const record = obj as Record<string, unknown>;
  for (const key in record) deepFreeze(record[key]);
  return obj;
}
