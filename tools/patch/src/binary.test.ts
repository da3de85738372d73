import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBase85, encodeBase85 } from './base85.js';
import { applyDelta, encodeLiteral, parseBinaryPatch } from './binary.js';

describe('base85', () => {
  it('round-trips every byte value', () => {
    const data = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(decodeBase85(encodeBase85(data), data.length)).toEqual(data);
  });
  it('rejects characters outside git’s alphabet', () => {
    expect(() => decodeBase85('abc"e', 4)).toThrow("invalid base85 character '\"'");
  });
});

describe('delta', () => {
  // source 10 bytes, target 8: copy 4 bytes from offset 2, insert "XYZW"
  const delta = Buffer.from([10, 8, 0x80 | 0x01 | 0x10, 2, 4, 4, ...Buffer.from('XYZW')]);
  it('copies from the preimage and inserts new bytes', () => {
    expect(applyDelta(Buffer.from('0123456789'), delta).toString()).toBe('2345XYZW');
  });
  it('refuses a delta made for another preimage', () => {
    expect(() => applyDelta(Buffer.from('012'), delta)).toThrow(
      'delta is for a 10-byte preimage, the file has 3 bytes',
    );
  });
  it('refuses a copy outside the preimage', () => {
    const bad = Buffer.from([10, 8, 0x80 | 0x01 | 0x10, 9, 8]);
    expect(() => applyDelta(Buffer.from('0123456789'), bad)).toThrow(
      'corrupt delta: copy outside the preimage or target',
    );
  });
});

describe('GIT binary patch hunks', () => {
  it('parses a forward literal and a reverse hunk', () => {
    const text = `${encodeLiteral(Buffer.from('hello'))}${encodeLiteral(Buffer.alloc(0))}`.split(
      '\n',
    );
    const { forward, reverse } = parseBinaryPatch(text);
    expect(forward.data.toString()).toBe('hello');
    expect(reverse?.size).toBe(0);
  });
  it('refuses data that inflates to another size than announced', () => {
    const z = deflateSync(Buffer.from('hello'));
    const line = `${String.fromCharCode(64 + z.length)}${encodeBase85(z)}`;
    expect(() => parseBinaryPatch(['literal 6', line, ''])).toThrow(
      'corrupt binary patch: inflated 5 bytes, expected 6',
    );
  });
});
