// The order in which the scheduler visits nodes (upstream nodeTree): nodes are grouped by zone and
// listed round-robin across zones, so a cycle that stops after a percentage of the nodes still sees
// every zone. The zone key is region and zone, as upstream utilnode.GetZoneKey.
import type { Labels } from "../api/label-selector.js";
import { LABEL_REGION, LABEL_ZONE } from "./api-types.js";

export function zoneKey(labels: Labels): string {
  const region = labels[LABEL_REGION] ?? labels["failure-domain.beta.kubernetes.io/region"] ?? "";
  const zone = labels[LABEL_ZONE] ?? labels["failure-domain.beta.kubernetes.io/zone"] ?? "";
  return region === "" && zone === "" ? "" : `${region}:\u0000:${zone}`;
}

export class NodeTree {
  private readonly zones = new Map<string, string[]>();
  private readonly zoneOf = new Map<string, string>();

  /** Adds or moves the node; false when it was already listed in that zone. */
  add(name: string, labels: Labels): boolean {
    const zone = zoneKey(labels);
    if (this.zoneOf.get(name) === zone) return false;
    this.remove(name);
    this.zoneOf.set(name, zone);
    let names = this.zones.get(zone);
    if (!names) this.zones.set(zone, (names = []));
    names.push(name);
    return true;
  }

  remove(name: string): void {
    const zone = this.zoneOf.get(name);
    if (zone === undefined) return;
    this.zoneOf.delete(name);
    const names = this.zones.get(zone) ?? [];
    names.splice(names.indexOf(name), 1);
    if (names.length === 0) this.zones.delete(zone);
  }

  /** Node names, one from each zone in turn. */
  list(): string[] {
    const out: string[] = [];
    const zones = [...this.zones.values()];
    for (let i = 0; out.length < this.zoneOf.size; i++) {
      for (const names of zones) {
        const name = names[i];
        if (name !== undefined) out.push(name);
      }
    }
    return out;
  }
}
