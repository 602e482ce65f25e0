import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { FastifyInstance } from 'fastify';

/**
 * Remembers every route the app registers so that a request for a known path with the wrong
 * method can be told apart from an unknown path: 405 with `Allow` instead of 404.
 */
export class RouteTable {
  private readonly router = FindMyWay({ ignoreTrailingSlash: true });
  private readonly methods = new Set<HTTPMethod>();

  static track(fastify: FastifyInstance): RouteTable {
    const table = new RouteTable();
    fastify.addHook('onRoute', (route) => {
      // A catch-all (the CORS preflight route `OPTIONS *`, the route table's) makes no path "known".
      if (route.url === '*' || route.url.endsWith('/*')) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) table.add(method as HTTPMethod, route.url);
    });
    return table;
  }

  add(method: HTTPMethod, path: string): void {
    if (this.router.hasRoute(method, path)) return;
    this.router.on(method, path, () => undefined);
    this.methods.add(method);
  }

  /** Methods the path is served with; empty when the path is unknown. */
  allowedMethods(url: string): HTTPMethod[] {
    const path = url.split('?', 1)[0];
    return [...this.methods].filter(
      (method) => method !== 'HEAD' && this.router.find(method, path) !== null,
    );
  }
}
