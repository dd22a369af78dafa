// Writing ASN.1 DER (ITU-T X.690) for the few types an X.509 certificate is made of: each function
// returns one value's whole encoding (tag, length, contents). Single-byte tags and definite
// lengths only, values in their minimal form, as DER requires. der.ts reads what these write.

export function element(tag: number, ...contents: Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const sequence = (...items: Uint8Array[]): Buffer => element(0x30, ...items);
/** SET OF with one member (a name's RDN): DER's ordering of members does not arise. */
export const set = (item: Uint8Array): Buffer => element(0x31, item);
export const boolean = (value: boolean): Buffer => element(0x01, Buffer.from([value ? 0xff : 0x00]));
export const nullValue = (): Buffer => element(0x05);
export const octetString = (bytes: Uint8Array): Buffer => element(0x04, bytes);
export const utf8String = (text: string): Buffer => element(0x0c, Buffer.from(text, "utf8"));
/** A BIT STRING of whole bytes (keys, signatures). */
export const bitString = (bytes: Uint8Array, unusedBits = 0): Buffer => element(0x03, Buffer.from([unusedBits]), bytes);
/** [n] EXPLICIT: the tagged value keeps its own encoding inside. */
export const explicit = (tagNumber: number, value: Uint8Array): Buffer => element(0xa0 | tagNumber, value);
/** [n] IMPLICIT of a primitive type: the tag replaces the type's own. */
export const implicit = (tagNumber: number, contents: Uint8Array): Buffer => element(0x80 | tagNumber, contents);

/** A non-negative INTEGER from its big-endian magnitude, in the fewest bytes (a leading 0 only to keep it positive). */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const bytes = magnitude.length === 0 ? Buffer.from([0]) : Buffer.from(magnitude.subarray(start));
  return element(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

export function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes: number[] = [40 * first + second];
  for (const arc of rest) {
    const groups: number[] = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) groups.unshift(0x80 | (value & 0x7f));
    bytes.push(...groups);
  }
  return element(0x06, Buffer.from(bytes));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; always UTC, whole seconds. */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  return year < 2050 ? element(0x17, Buffer.from(digits.slice(2), "ascii")) : element(0x18, Buffer.from(digits, "ascii"));
}
