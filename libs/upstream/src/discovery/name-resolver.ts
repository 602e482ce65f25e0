import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';

/** Resolves a host name to every address it currently has; IP literals resolve to themselves. */
export type NameResolver = (hostname: string) => Promise<string[]>;

/** Answers meaning "this name has no addresses" (as opposed to "could not ask"). */
const NO_ADDRESSES = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * With no servers: the system resolver (getaddrinfo, so /etc/hosts and search domains apply, as in
 * a pod). With servers: c-ares asks exactly those servers for A and AAAA records.
 * A name that does not exist resolves to []; a resolver that cannot be reached throws, so that the
 * caller keeps the addresses it already knows.
 */
export function createNameResolver(servers: readonly string[]): NameResolver {
  if (servers.length === 0) {
    return async (hostname) => {
      if (isIP(hostname)) return [hostname];
      try {
        const found = await dns.lookup(hostname, { all: true });
        return [...new Set(found.map((entry) => entry.address))];
      } catch (err) {
        if (NO_ADDRESSES.has((err as NodeJS.ErrnoException).code ?? '')) return [];
        throw err;
      }
    };
  }
  const resolver = new dns.Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([...servers]);
  return async (hostname) => {
    if (isIP(hostname)) return [hostname];
    const answers = await Promise.allSettled([
      resolver.resolve4(hostname),
      resolver.resolve6(hostname),
    ]);
    const addresses: string[] = [];
    for (const answer of answers) {
      if (answer.status === 'fulfilled') addresses.push(...answer.value);
      else if (!NO_ADDRESSES.has((answer.reason as NodeJS.ErrnoException).code ?? ''))
        throw answer.reason;
    }
    return addresses;
  };
}
