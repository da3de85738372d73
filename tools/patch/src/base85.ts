/** Git's base85 (the alphabet of `GIT binary patch` lines, not Ascii85's). */
const ALPHABET =
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';

const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/**
 * Decodes `text` (a multiple of 5 characters) into exactly `length` bytes.
 * Throws on a character outside the alphabet or a group that overflows 32 bits.
 */
export function decodeBase85(text: string, length: number): Buffer {
  if (text.length % 5 !== 0 || (text.length / 5) * 4 < length)
    throw new Error(`base85 data of ${text.length} characters cannot hold ${length} bytes`);
  const out = Buffer.alloc(Math.ceil(length / 4) * 4);
  for (let g = 0; g < text.length / 5; g++) {
    let acc = 0;
    for (let k = 0; k < 5; k++) {
      const d = DECODE[text.charCodeAt(g * 5 + k)] ?? -1;
      if (d < 0) throw new Error(`invalid base85 character '${text[g * 5 + k]}'`);
      acc = acc * 85 + d;
    }
    if (acc > 0xffffffff) throw new Error('invalid base85 group (overflows 32 bits)');
    if (g * 4 < out.length) out.writeUInt32BE(acc, g * 4);
  }
  return out.subarray(0, length);
}

/** Encodes `data` in groups of 4 bytes (zero-padded) to 5 characters each. */
export function encodeBase85(data: Buffer): string {
  let out = '';
  for (let i = 0; i < data.length; i += 4) {
    let acc = 0;
    for (let k = 0; k < 4; k++) acc = acc * 256 + (data[i + k] ?? 0);
    let group = '';
    for (let k = 0; k < 5; k++) {
      group = ALPHABET[acc % 85] + group;
      acc = Math.floor(acc / 85);
    }
    out += group;
  }
  return out;
}
