// Deep freezing of decoded objects that several readers share (the watch cache's decoded objects,
// informer caches): a reader that tries to mutate one fails loudly instead of corrupting the others.

/** Freezes obj and everything reachable from it; returns obj. */
export function deepFreeze<T>(obj: T): T {
  if (obj === null || typeof obj !== "object" || Object.isFrozen(obj)) return obj;
  Object.freeze(obj);
  for (const value of Object.values(obj)) deepFreeze(value);
  return obj;
}
