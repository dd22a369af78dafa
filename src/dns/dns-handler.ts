// One DNS exchange, whatever carried it (UDP, TCP or a node relay): decode the query with
// dns-packet, answer from the cluster zone or forward it upstream, and encode the response. UDP
// responses larger than the client accepts (512 bytes, or its EDNS payload size) are sent
// truncated (TC set, no records) so the client retries over TCP. A query that cannot be parsed
// is dropped; an opcode other than QUERY gets NOTIMP; a failed forward gets SERVFAIL.
import * as packet from "dns-packet";
import type { Answer, DecodedPacket, Packet, RecordType } from "dns-packet";
import type { Logger } from "../log.js";
import type { ClusterZone } from "./cluster-zone.js";
import type { DnsMetrics } from "./dns-metrics.js";
import type { Forwarder } from "./forwarder.js";

export type Transport = "udp" | "tcp";

const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type Rcode = keyof typeof RCODES;
const RCODE_NAMES = Object.keys(RCODES);
/** The largest UDP payload this server sends, whatever a client advertises. */
const MAX_UDP_PAYLOAD = 4096;
const CLASSIC_UDP_PAYLOAD = 512;
/** How many CNAMEs in a row are followed. */
const MAX_CNAME_CHAIN = 8;

export class DnsHandler {
  constructor(
    private readonly zone: ClusterZone,
    private readonly forwarder: Forwarder,
    private readonly log: Logger,
    private readonly metrics?: DnsMetrics,
  ) {}

  async handle(message: Buffer, transport: Transport): Promise<Buffer | undefined> {
    const started = process.hrtime.bigint();
    let query: DecodedPacket;
    try {
      query = packet.decode(message);
    } catch {
      return undefined; // not DNS: nothing sensible to answer
    }
    if (query.flag_qr) return undefined; // a response sent to us
    const reply = await this.respond(query, message, transport);
    this.metrics?.observe(transport, query.questions?.[0]?.type ?? "", RCODE_NAMES[(reply[3] ?? 0) & 0x0f] ?? "OTHER", started);
    return reply;
  }

  private async respond(query: DecodedPacket, message: Buffer, transport: Transport): Promise<Buffer> {
    const limit = transport === "tcp" ? 65535 : udpLimit(query);
    const question = query.questions?.[0];
    if (opcodeOf(query) !== 0) return this.reply(query, "NOTIMP", {}, limit);
    if (!question || (query.questions?.length ?? 0) > 1) return this.reply(query, "FORMERR", {}, limit);
    const answer = this.zone.answer(question);
    if (answer) {
      const answers = question.type === "CNAME" ? answer.answers : await this.chase(answer.answers, question.type);
      return this.reply(query, answer.rcode, { answers, authorities: answer.authorities, additionals: answer.additionals, authoritative: true }, limit);
    }
    try {
      this.metrics?.forward();
      return fitted(await this.forwarder.forward(message), limit);
    } catch (error) {
      this.log.debug("forwarding failed", { name: question.name, type: question.type, error });
      return this.reply(query, "SERVFAIL", {}, limit);
    }
  }

  /**
   * An ExternalName's CNAME with its target's records appended, as CoreDNS does: a target in the
   * cluster zone from the zone, another one from the upstream resolvers (stub resolvers such as
   * glibc's do not follow a CNAME themselves). Nothing is appended when the target has no answer.
   */
  private async chase(answers: Answer[], type: RecordType, depth = 0): Promise<Answer[]> {
    const last = answers.at(-1);
    if (last?.type !== "CNAME" || depth >= MAX_CNAME_CHAIN) return answers;
    const inZone = this.zone.answer({ name: last.data, type });
    if (inZone) return this.chase([...answers, ...inZone.answers], type, depth + 1);
    try {
      const reply = packet.decode(await this.forwarder.forward(packet.encode({ type: "query", id: 0, flags: packet.RECURSION_DESIRED, questions: [{ name: last.data, type }] })));
      return [...answers, ...(reply.answers ?? [])];
    } catch {
      return answers;
    }
  }

  private reply(query: DecodedPacket, rcode: Rcode, records: { answers?: Answer[]; authorities?: Answer[]; additionals?: Answer[]; authoritative?: boolean }, limit: number): Buffer {
    let flags = RCODES[rcode] | packet.RECURSION_AVAILABLE;
    if (query.flag_rd) flags |= packet.RECURSION_DESIRED;
    if (records.authoritative) flags |= packet.AUTHORITATIVE_ANSWER;
    const opt = optOf(query) ? [{ type: "OPT", name: ".", udpPayloadSize: MAX_UDP_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as Answer] : [];
    const response: Packet = {
      type: "response",
      id: query.id,
      flags,
      questions: query.questions,
      answers: records.answers ?? [],
      authorities: records.authorities ?? [],
      additionals: [...(records.additionals ?? []), ...opt],
    };
    const encoded = packet.encode(response);
    if (encoded.length <= limit) return encoded;
    return packet.encode({ ...response, flags: flags | packet.TRUNCATED_RESPONSE, answers: [], authorities: [], additionals: opt });
  }
}

/** What a UDP client accepts: its EDNS payload size (at least 512), or 512 without EDNS. */
function udpLimit(query: DecodedPacket): number {
  const opt = optOf(query);
  return opt ? Math.min(Math.max(opt.udpPayloadSize, CLASSIC_UDP_PAYLOAD), MAX_UDP_PAYLOAD) : CLASSIC_UDP_PAYLOAD;
}

function optOf(query: DecodedPacket): { udpPayloadSize: number } | undefined {
  return query.additionals?.find((a): a is Extract<Answer, { type: "OPT" }> => a.type === "OPT");
}

function opcodeOf(query: DecodedPacket): number {
  return ((query.flags ?? 0) >> 11) & 0xf;
}

/** An upstream reply as is when it fits; else its header and question with TC set. */
function fitted(reply: Buffer, limit: number): Buffer {
  if (reply.length <= limit) return reply;
  const decoded = packet.decode(reply);
  return packet.encode({ type: "response", id: decoded.id, flags: (decoded.flags ?? 0) | packet.TRUNCATED_RESPONSE, questions: decoded.questions });
}
