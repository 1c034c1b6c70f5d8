import { describe, expect, it } from 'vitest';
import type { VigilError } from '../errors.ts';
import { maskProxyUrl, splitProxyPassword, withProxyPassword } from './proxy-secret.ts';

describe('proxy passwords', () => {
  it('splits the password out and puts it back exactly, percent-encoding kept', () => {
    const proxy = 'http://bob:p%40ss%3Aw0rd@proxy.example:3128';
    const { proxy: stored, password } = splitProxyPassword(proxy);
    expect(stored).toBe('http://bob:***@proxy.example:3128');
    expect(password).toBe('p%40ss%3Aw0rd');
    expect(withProxyPassword(stored, password)).toBe(proxy);
  });

  it('leaves a proxy without a password as it is', () => {
    expect(splitProxyPassword('https://proxy.example:8443')).toEqual({
      proxy: 'https://proxy.example:8443',
      password: null,
    });
    expect(splitProxyPassword('http://bob@proxy.example:3128').password).toBeNull();
    expect(withProxyPassword('http://proxy.example:3128', null)).toBe('http://proxy.example:3128');
  });

  it('masks any proxy URL for output', () => {
    expect(maskProxyUrl('http://u:secret@h:1')).toBe('http://u:***@h:1');
    expect(maskProxyUrl('http://h:1')).toBe('http://h:1');
    expect(maskProxyUrl('not a url secret')).not.toContain('secret');
  });

  it('refuses other schemes and non-URLs as CONFIG_INVALID without repeating them', () => {
    for (const bad of ['socks5://u:hunter2@h:1', 'u:hunter2@h:1']) {
      try {
        splitProxyPassword(bad);
        expect.unreachable();
      } catch (error) {
        expect((error as VigilError).code).toBe('CONFIG_INVALID');
        expect((error as VigilError).message).toContain('proxy');
        expect((error as VigilError).message).not.toContain('hunter2');
      }
    }
  });
});
