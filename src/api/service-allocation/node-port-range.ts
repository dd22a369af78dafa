// The NodePort range, 30000-32767 as upstream's default --service-node-port-range, with the lower
// block kept for ports chosen by hand (upstream's port allocator offset).
import { staticBlockSize } from "./range-bitmap.js";
import { ValueRange } from "./value-range.js";

export const NODE_PORT_RANGE = { first: 30000, last: 32767 };

export function nodePortRange(options: { first?: number; last?: number; random?: () => number } = {}): ValueRange<number> {
  const first = options.first ?? NODE_PORT_RANGE.first;
  const last = options.last ?? NODE_PORT_RANGE.last;
  const size = last - first + 1;
  return new ValueRange<number>({
    size,
    staticSize: staticBlockSize(size, 32, 128),
    toOffset: (port) => (Number.isInteger(port) && port >= first && port <= last ? port - first : undefined),
    fromOffset: (offset) => first + offset,
    notInRange: `provided port is not in the valid range. The range of valid ports is ${first}-${last}`,
    alreadyAllocated: "provided port is already allocated",
    random: options.random,
  });
}
