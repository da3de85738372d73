import { describe, expect, it } from 'vitest';
import { decodeHeader } from './mime.js';

// Header text outside encoded words: UTF-8 when valid, else Latin-1 - for bytes, and for
// strings (as checkpatch's author line comes) the same as their UTF-8 bytes would give.
describe('decodeHeader outside encoded words', () => {
  it('reads valid UTF-8 bytes as UTF-8 and other 8-bit bytes as Latin-1', () => {
    expect(decodeHeader(Buffer.from('Ren\u00e9 <r@example.org>', 'utf8'))).toBe(
      'Ren\u00e9 <r@example.org>',
    );
    expect(decodeHeader(Buffer.from([0x52, 0x65, 0x6e, 0xe9]))).toBe('Ren\u00e9');
  });

  it('drops a leading byte order mark, from bytes and from strings alike', () => {
    expect(decodeHeader(Buffer.from('\ufeffA <a@example.org>', 'utf8'))).toBe('A <a@example.org>');
    expect(decodeHeader('\ufeffA <a@example.org>')).toBe('A <a@example.org>');
  });

  it('gives a string back as its UTF-8 bytes would decode', () => {
    expect(decodeHeader('Zo\u00eb <z@example.org>')).toBe('Zo\u00eb <z@example.org>');
    expect(decodeHeader('bad \ud800 half')).toBe('bad \ufffd half');
  });

  it('still decodes encoded words around plain text', () => {
    expect(decodeHeader('=?ISO-8859-1?Q?Andr=E9?= Bar <a@example.org>')).toBe(
      'Andr\u00e9 Bar <a@example.org>',
    );
  });
});
