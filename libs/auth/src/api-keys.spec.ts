import { ApiKeys, parseApiKeys } from './api-keys';

describe('ApiKeys', () => {
  it('accepts every configured key, with a stable identity that is not the key', () => {
    const keys = new ApiKeys(['alpha-key', 'beta-key']);
    const alpha = keys.identify('alpha-key');
    expect(alpha).toMatch(/^key:[0-9a-f]{16}$/);
    expect(alpha).not.toContain('alpha');
    expect(keys.identify('alpha-key')).toBe(alpha);
    expect(keys.identify('beta-key')).not.toBe(alpha);
  });

  it('refuses unknown keys, prefixes and suffixes of known ones, and everything once emptied', () => {
    const keys = new ApiKeys(['alpha-key']);
    for (const wrong of ['', 'alpha', 'alpha-key ', 'alpha-keyx', 'ALPHA-KEY'])
      expect(keys.identify(wrong)).toBeUndefined();
    keys.replace([]);
    expect(keys.identify('alpha-key')).toBeUndefined();
  });

  it('parses one key per line or comma-separated, without blanks and comments', () => {
    expect(parseApiKeys('# keys\n one \r\ntwo,three\n\n')).toEqual(['one', 'two', 'three']);
  });
});
