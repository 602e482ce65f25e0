/**
 * Two find-my-way paths as the route matcher registers them (route-matcher.ts): `/`-separated
 * segments, each static (a literal `:` doubled), a whole-segment parameter `:pN`, or a last `*`
 * (the rest of the path). find-my-way tries, at each segment, a static one before a parameter
 * before a wildcard, so of two paths that take one request the one more specific at the first
 * segment where they differ gets it.
 */

type SegmentKind = 0 | 1 | 2;

function segmentsOf(path: string): string[] {
  // One trailing slash is ignored by the router.
  return (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).split('/');
}

function kindOf(segment: string | undefined): SegmentKind | undefined {
  if (segment === undefined) return undefined;
  if (segment === '*') return 2;
  return segment.startsWith(':') && !segment.startsWith('::') ? 1 : 0;
}

/** Whether some request path may be taken by both; yes for some pairs that cannot, never no for a pair that can. */
export function pathsOverlap(a: string, b: string): boolean {
  const [x, y] = [segmentsOf(a), segmentsOf(b)];
  for (let i = 0; ; i++) {
    const [kx, ky] = [kindOf(x[i]), kindOf(y[i])];
    if (kx === 2 || ky === 2) return true;
    if (kx === undefined || ky === undefined) return kx === ky;
    if (kx === 0 && ky === 0 && x[i] !== y[i]) return false;
  }
}

/**
 * Whether find-my-way gives a request both may take to `a` before `b`: `a` is static where `b`
 * has a parameter or the wildcard, or a parameter where `b` has the wildcard, at the first
 * segment where their kinds differ; a path that ends where the other has its wildcard is the
 * more specific (`/a` before `/a/*`).
 */
export function moreSpecific(a: string, b: string): boolean {
  const [x, y] = [segmentsOf(a), segmentsOf(b)];
  for (let i = 0; ; i++) {
    const [kx, ky] = [kindOf(x[i]), kindOf(y[i])];
    if (kx === undefined || ky === undefined) return kx === undefined && ky === 2;
    if (kx !== ky) return kx < ky;
    if (kx === 2) return false;
  }
}
