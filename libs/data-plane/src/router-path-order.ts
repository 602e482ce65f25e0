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

interface OverlapNode {
  readonly statics: Map<string, OverlapNode>;
  param: OverlapNode | null;
  /** Paths whose last segment, here, is `*`. */
  readonly wild: number[];
  /** Paths that end here. */
  readonly ends: number[];
}

const overlapNode = (): OverlapNode => ({ statics: new Map(), param: null, wild: [], ends: [] });

/**
 * Paths by their segments, to find the ones that overlap a path (pathsOverlap) without comparing
 * it with every one: the route matcher asks this for each of its entries that may decline a
 * request, so a scan of all paths would make a table's build quadratic in its routes.
 */
export class OverlapIndex {
  private readonly root = overlapNode();

  /** `paths[i]` are the paths of item `i`. */
  constructor(paths: readonly (readonly string[])[]) {
    paths.forEach((own, item) => {
      for (const path of own) this.add(path, item);
    });
  }

  /** The items with a path that overlaps `path`, in their order: exactly those pathsOverlap finds. */
  overlapping(path: string): number[] {
    const found = new Set<number>();
    const segments = segmentsOf(path);
    const visit = (node: OverlapNode, i: number): void => {
      // A `*` of either path takes whatever follows; an end meets only an end.
      for (const item of node.wild) found.add(item);
      const kind = kindOf(segments[i]);
      if (kind === 2) return everything(node, found);
      if (kind === undefined) {
        for (const item of node.ends) found.add(item);
        return;
      }
      if (kind === 1) for (const child of node.statics.values()) visit(child, i + 1);
      else {
        const child = node.statics.get(segments[i]);
        if (child) visit(child, i + 1);
      }
      if (node.param) visit(node.param, i + 1);
    };
    visit(this.root, 0);
    return [...found].sort((a, b) => a - b);
  }

  private add(path: string, item: number): void {
    let node = this.root;
    for (const segment of segmentsOf(path)) {
      const kind = kindOf(segment);
      if (kind === 2) {
        node.wild.push(item);
        return;
      }
      if (kind === 1) node = node.param ??= overlapNode();
      else {
        let child = node.statics.get(segment);
        if (!child) {
          child = overlapNode();
          node.statics.set(segment, child);
        }
        node = child;
      }
    }
    node.ends.push(item);
  }
}

function everything(node: OverlapNode, found: Set<number>): void {
  for (const item of node.wild) found.add(item);
  for (const item of node.ends) found.add(item);
  for (const child of node.statics.values()) everything(child, found);
  if (node.param) everything(node.param, found);
}
