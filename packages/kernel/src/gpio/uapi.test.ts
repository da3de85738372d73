import { describe, expect, it } from 'vitest';
import {
  decode_gpio_v2_line_config,
  decode_gpio_v2_line_request,
  encode_gpio_v2_line_config,
  encode_gpio_v2_line_event,
  encode_gpio_v2_line_request,
  GPIO_GET_CHIPINFO_IOCTL,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_GET_LINEINFO_IOCTL,
  GPIO_V2_LINE_GET_VALUES_IOCTL,
  GPIO_V2_LINE_SET_CONFIG_IOCTL,
  GPIO_V2_LINE_SET_VALUES_IOCTL,
} from './uapi.js';

describe('the GPIO v2 ABI', () => {
  it('has the kernel ioctl numbers (which encode the struct sizes)', () => {
    expect(
      [
        GPIO_GET_CHIPINFO_IOCTL,
        GPIO_V2_GET_LINEINFO_IOCTL,
        GPIO_V2_GET_LINE_IOCTL,
        GPIO_V2_LINE_SET_CONFIG_IOCTL,
        GPIO_V2_LINE_GET_VALUES_IOCTL,
        GPIO_V2_LINE_SET_VALUES_IOCTL,
      ].map((n) => (n >>> 0).toString(16)),
    ).toEqual(['8044b401', 'c100b405', 'c250b407', 'c110b40d', 'c010b40e', 'c010b40f']);
  });

  it('lays out an event as the kernel does', () => {
    const b = encode_gpio_v2_line_event({
      timestamp_ns: 0x0102030405060708n,
      id: 2,
      offset: 7,
      seqno: 9,
      line_seqno: 4,
    });
    expect([...b.subarray(0, 24)]).toEqual([
      8, 7, 6, 5, 4, 3, 2, 1, 2, 0, 0, 0, 7, 0, 0, 0, 9, 0, 0, 0, 4, 0, 0, 0,
    ]);
    expect(b.length).toBe(48);
  });

  it('puts the request fields at their offsets and rejects dirty padding', () => {
    const b = encode_gpio_v2_line_request({
      offsets: [3],
      consumer: 'gpioset',
      config: { flags: 8n, attrs: [] },
      event_buffer_size: 0,
      fd: -1,
    });
    const v = new DataView(b.buffer);
    expect(v.getUint32(0, true)).toBe(3);
    expect(new TextDecoder().decode(b.subarray(256, 263))).toBe('gpioset');
    expect(v.getBigUint64(288, true)).toBe(8n);
    expect(v.getUint32(560, true)).toBe(1);
    expect(v.getInt32(588, true)).toBe(-1);
    expect(decode_gpio_v2_line_request(b).padding_ok).toBe(true);
    b[570] = 1;
    expect(decode_gpio_v2_line_request(b).padding_ok).toBe(false);
    const c = encode_gpio_v2_line_config({ flags: 4n, attrs: [] });
    c[20] = 1;
    expect(decode_gpio_v2_line_config(c)).toBe(null);
  });
});
