import { hostsOverlap } from './route-kind-conflicts';

describe('hostsOverlap', () => {
  it('takes equal names, a wildcard and a name below it, nested wildcards, and ANY_HOST', () => {
    expect(hostsOverlap('a.example.com', 'a.example.com')).toBe(true);
    expect(hostsOverlap('*.example.com', 'a.b.example.com')).toBe(true);
    expect(hostsOverlap('a.example.com', '*.example.com')).toBe(true);
    expect(hostsOverlap('*.b.example.com', '*.example.com')).toBe(true);
    expect(hostsOverlap('*', 'a.example.com')).toBe(true);
  });

  it('keeps apart other names, a wildcard and its own domain, and unrelated wildcards', () => {
    expect(hostsOverlap('a.example.com', 'b.example.com')).toBe(false);
    expect(hostsOverlap('*.example.com', 'example.com')).toBe(false);
    expect(hostsOverlap('*.example.com', '*.example.net')).toBe(false);
  });
});
