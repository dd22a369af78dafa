// The node IPAM controller (upstream pkg/controller/nodeipam with --allocate-node-cidrs and the
// range allocator): every Node without spec.podCIDR gets the first free block of the cluster CIDR
// (--cluster-cidr, default 10.42.0.0/16, /24 per node). Blocks other nodes already hold, however
// they got them, are never handed out twice; a full range is reported as a CIDRNotAvailable event.
import { CORE_V1 } from "../client/client.js";
import { defineController, enqueueObject } from "../client/controller.js";
import type { ControllerRegistration } from "./controller-context.js";
import { formatIPv4, ipv4ToNumber } from "../node/network/cidr.js";

const NODES = CORE_V1("nodes");

export const nodeIpamController: ControllerRegistration = {
  name: "node-ipam",
  component: "node-ipam-controller",
  create: (ctx) => {
    const nodes = ctx.informers.informerFor(NODES);
    const range = parseCIDR(ctx.settings.clusterCIDR);
    const maskSize = ctx.settings.nodeCIDRMaskSize;
    if (maskSize < range.prefix || maskSize > 30) throw new Error(`node CIDR mask size /${maskSize} does not fit cluster CIDR ${ctx.settings.clusterCIDR}`);
    const blockCount = 2 ** (maskSize - range.prefix);
    const blockSize = 2 ** (32 - maskSize);
    // Blocks handed out by this process that the cache may not show yet.
    const assigned = new Map<string, string>();
    const blockOf = (cidr: string): number | undefined => {
      try {
        const parsed = parseCIDR(cidr);
        const offset = parsed.base - range.base;
        return offset >= 0 && offset < blockCount * blockSize ? Math.floor(offset / blockSize) : undefined;
      } catch {
        return undefined;
      }
    };
    return defineController({
      name: "node-ipam",
      watches: [{ informer: nodes, keys: enqueueObject }],
      reconcile: async (name) => {
        const node = nodes.get(name);
        if (!node) {
          assigned.delete(name);
          return;
        }
        if ((node.spec as { podCIDR?: string } | undefined)?.podCIDR) return;
        const used = new Set<number>();
        for (const other of nodes.list()) {
          const cidr = (other.spec as { podCIDR?: string } | undefined)?.podCIDR ?? assigned.get(other.metadata?.name ?? "");
          const block = cidr ? blockOf(cidr) : undefined;
          if (block !== undefined) used.add(block);
        }
        let free = 0;
        while (free < blockCount && used.has(free)) free++;
        if (free === blockCount) {
          void ctx.recorder.event(node, "Normal", "CIDRNotAvailable", `Node ${name} status is now: CIDRNotAvailable`);
          return { requeueAfterMs: 30_000 };
        }
        const cidr = `${formatIPv4(range.base + free * blockSize)}/${maskSize}`;
        assigned.set(name, cidr);
        await ctx.client.patch(NODES, undefined, name, "merge", { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
        void ctx.recorder.event(node, "Normal", "CIDRAssignmentSucceeded", `Node ${name} got pod CIDR ${cidr}`);
      },
      clock: ctx.clock,
      logger: ctx.log,
    });
  },
};

function parseCIDR(cidr: string): { base: number; prefix: number } {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!match) throw new Error(`invalid CIDR ${JSON.stringify(cidr)}: want an IPv4 range such as 10.42.0.0/16`);
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) throw new Error(`invalid CIDR ${JSON.stringify(cidr)}`);
  const address = ipv4ToNumber(cidr.split("/")[0]!);
  const size = 2 ** (32 - prefix);
  return { base: address - (address % size), prefix };
}

