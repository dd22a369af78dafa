// resolv.conf(5), read and written: the host's upstream resolvers for forwarding and for pods with
// dnsPolicy Default, and the file each pod gets. Only nameserver, search (and domain) and options
// lines matter; the last search/domain line wins, as in glibc.
export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export const HOST_RESOLV_CONF = "/etc/resolv.conf";

export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split("\n")) {
    const line = raw.replace(/[#;].*$/, "").trim();
    const [keyword, ...values] = line.split(/\s+/);
    if (keyword === "nameserver" && values[0]) conf.nameservers.push(values[0]);
    else if (keyword === "search" || keyword === "domain") conf.searches = values;
    else if (keyword === "options") conf.options.push(...values);
  }
  return conf;
}

export function renderResolvConf(conf: ResolvConf): string {
  const lines: string[] = [];
  if (conf.searches.length > 0) lines.push(`search ${conf.searches.join(" ")}`);
  for (const server of conf.nameservers) lines.push(`nameserver ${server}`);
  if (conf.options.length > 0) lines.push(`options ${conf.options.join(" ")}`);
  return lines.join("\n") + "\n";
}
