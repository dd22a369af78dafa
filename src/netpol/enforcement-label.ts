// The node label that says whether a node enforces NetworkPolicy: set by the node agent when its
// pod network is known, read by the API server's admission to warn about policies that would
// be stored but not in force.
export const ENFORCEMENT_LABEL = "network-policy.kubelite.io/enforcement";
export const ENFORCED = "nftables";
export const NOT_ENFORCED = "none";
