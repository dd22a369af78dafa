// A small reader for ASN.1 DER, enough to take PKCS#10 certificate requests apart synchronously
// (API validation cannot wait on WebCrypto). Definite lengths only, as DER requires; anything
// malformed throws an Error saying what.

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export interface DerNode {
  tag: number;
  /** The whole encoding: tag, length and content. */
  der: Buffer;
  content: Buffer;
}

/** The element starting at `offset`. */
export function readDer(buffer: Buffer, offset = 0): DerNode {
  if (offset + 2 > buffer.length) throw new Error("asn1: truncated element");
  const tag = buffer[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Error("asn1: high tag numbers are not supported");
  let length = buffer[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new Error("asn1: indefinite length is not DER");
    if (count > 4 || offset + 2 + count > buffer.length) throw new Error("asn1: length too large");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buffer[offset + 2 + i]!;
    header += count;
  }
  const end = offset + header + length;
  if (end > buffer.length) throw new Error("asn1: data truncated");
  return { tag, der: buffer.subarray(offset, end), content: buffer.subarray(offset + header, end) };
}

/** The elements inside a constructed element (SEQUENCE, SET, explicit tags). */
export function childrenOf(node: DerNode): DerNode[] {
  if ((node.tag & 0x20) === 0) throw new Error(`asn1: tag 0x${node.tag.toString(16)} is not constructed`);
  const children: DerNode[] = [];
  for (let offset = 0; offset < node.content.length; ) {
    const child = readDer(node.content, offset);
    children.push(child);
    offset += child.der.length;
  }
  return children;
}

/** The element with this tag, or an error naming what was expected. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (node?.tag !== tag) throw new Error(`asn1: malformed ${what}`);
  return node;
}

/** An OBJECT IDENTIFIER's dotted form. */
export function oidOf(node: DerNode): string {
  expectTag(node, TAG.OID, "object identifier");
  const bytes = node.content;
  if (bytes.length === 0) throw new Error("asn1: empty object identifier");
  const first = bytes[0]!;
  const parts = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}

/** The text of a string element (UTF8String, PrintableString, IA5String, ...). */
export function stringOf(node: DerNode): string {
  // BMPString is UTF-16BE; every other string type kubelite meets is ASCII or UTF-8.
  if (node.tag === 0x1e) return Buffer.from(node.content).swap16().toString("utf16le");
  return node.content.toString("utf8");
}
