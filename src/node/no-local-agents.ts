// The node agents of a server that runs none (--disable-agent, no --agents): nothing to stop, and
// no pod to reach. Kept apart from local-agents.ts so such a server never loads the agents' code.
import type { LocalAgents } from "./local-agents.js";

export function noLocalAgents(): LocalAgents {
  return { agents: [], dial: (nodeName) => Promise.reject(notLocal(nodeName)), stop: async () => {}, destroy: async () => {} };
}

export function notLocal(nodeName: string): Error {
  return new Error(`node ${nodeName} is not run by this process: its pods cannot be reached from here`);
}
