import { clientAddress } from './client-address';

// Addresses are from the documentation ranges (RFC 5737, RFC 3849): test data, not endpoints.

describe('clientAddress', () => {
  it('uses the socket peer and ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(clientAddress('192.0.2.7', '203.0.113.9', 0)).toBe('192.0.2.7');
    expect(clientAddress('192.0.2.7', undefined, 0)).toBe('192.0.2.7');
  });

  it('takes the Nth entry from the right with N trusted hops, never a client-written one', () => {
    const header = 'spoofed-by-client, 198.51.100.4, 203.0.113.9';
    expect(clientAddress('192.0.2.7', header, 1)).toBe('203.0.113.9');
    expect(clientAddress('192.0.2.7', header, 2)).toBe('198.51.100.4');
    expect(clientAddress('192.0.2.7', ' 198.51.100.4 ,203.0.113.9', 2)).toBe('198.51.100.4');
  });

  it('joins repeated X-Forwarded-For headers in order', () => {
    expect(clientAddress('192.0.2.7', ['198.51.100.4', '203.0.113.9'], 2)).toBe('198.51.100.4');
  });

  it('takes the leftmost entry when the request crossed fewer proxies than trusted', () => {
    expect(clientAddress('192.0.2.7', '203.0.113.9', 3)).toBe('203.0.113.9');
  });

  it('falls back to the peer without the header, or when the entry is not an IP address', () => {
    expect(clientAddress('192.0.2.7', undefined, 1)).toBe('192.0.2.7');
    expect(clientAddress('192.0.2.7', '', 1)).toBe('192.0.2.7');
    expect(clientAddress('192.0.2.7', '198.51.100.4, not-an-ip', 1)).toBe('192.0.2.7');
    expect(clientAddress('192.0.2.7', '198.51.100.4,', 1)).toBe('192.0.2.7');
  });

  it('groups IPv6 clients by /64 and unwraps IPv4-mapped addresses', () => {
    expect(clientAddress('2001:db8:1:2:aaaa::1', undefined, 0)).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8:1:2:bbbb::9', undefined, 0)).toBe('2001:db8:1:2::/64');
    expect(clientAddress('::ffff:192.0.2.1', undefined, 0)).toBe('192.0.2.1');
  });

  it('names a client without a known address "unknown" rather than failing', () => {
    expect(clientAddress(undefined, undefined, 0)).toBe('unknown');
  });
});
