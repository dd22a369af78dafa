// Which EndpointSlice writes the controller still waits to see in its informer (upstream staging
// endpointslice/endpointslice_tracker.go): after creating or updating a slice it remembers the
// resourceVersion it wrote, after deleting one that it expects it gone. A sync whose cached slices
// are older than what it wrote, still hold a deleted slice, or lack a written one, works on a stale
// cache and must retry (upstream StaleInformerCache) instead of acting twice. Upstream compares
// metadata.generation; slices here carry no generation, so the store's resourceVersions (ordered
// revisions, see docs/adr) stand in. In memory only.
import type { EndpointSlice } from "./slices.js";

const DELETION_EXPECTED = "deletion-expected";

export class EndpointSliceTracker {
  /** service key → slice uid → the resourceVersion written, or DELETION_EXPECTED. */
  private readonly byService = new Map<string, Map<string, string>>();

  /** Update: the controller wrote this slice (as returned by the API). */
  update(serviceKey: string, slice: EndpointSlice): void {
    this.slicesOf(serviceKey).set(slice.metadata.uid ?? "", slice.metadata.resourceVersion ?? "");
  }

  /** ExpectDeletion: the controller deleted this slice. */
  expectDeletion(serviceKey: string, slice: EndpointSlice): void {
    this.slicesOf(serviceKey).set(slice.metadata.uid ?? "", DELETION_EXPECTED);
  }

  /** StaleSlices: the cached slices of the Service do not yet show every write; forgets deletions seen. */
  staleSlices(serviceKey: string, cached: readonly EndpointSlice[]): boolean {
    const tracked = this.byService.get(serviceKey);
    if (!tracked) return false;
    const cachedByUid = new Map(cached.map((s) => [s.metadata.uid ?? "", s]));
    let stale = false;
    for (const [uid, written] of tracked) {
      const slice = cachedByUid.get(uid);
      if (written === DELETION_EXPECTED) {
        if (slice) stale = true;
        else tracked.delete(uid);
      } else if (!slice || olderThan(slice.metadata.resourceVersion ?? "", written)) {
        stale = true;
      }
    }
    return stale;
  }

  /** HandleDeletion: the informer saw the slice go (ours or anyone's); nothing more to wait for. */
  handleDeletion(serviceKey: string, slice: EndpointSlice): void {
    this.byService.get(serviceKey)?.delete(slice.metadata.uid ?? "");
  }

  /** DeleteService: forgets a deleted Service. */
  deleteService(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }

  private slicesOf(serviceKey: string): Map<string, string> {
    let slices = this.byService.get(serviceKey);
    if (!slices) this.byService.set(serviceKey, (slices = new Map()));
    return slices;
  }
}

/** a is an earlier revision than b (non-numeric versions are never called older). */
function olderThan(a: string, b: string): boolean {
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}
