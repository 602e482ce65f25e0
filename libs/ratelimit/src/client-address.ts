import { normalizeIp } from '@nestjs/throttler';
import { isIP } from 'node:net';

/**
 * The rate-limit identity of a request's client: its address, IPv6 grouped by /64 (one host
 * usually owns a whole /64, so it cannot dodge a limit by rotating addresses in it).
 *
 * With no trusted proxy hops it is the socket's peer, and X-Forwarded-For is ignored: any client can
 * write that header. With N trusted proxies in front, each appending the address it saw, it is the
 * Nth X-Forwarded-For entry from the right - the address the outermost trusted proxy saw. Entries
 * further left are whatever the client sent and are never used. Fewer than N entries: the leftmost
 * (the request crossed fewer proxies); no header, or an entry that is not an IP address: the peer.
 * This is Express's `trust proxy = N`.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedHops: number,
): string {
  const forwarded =
    trustedHops > 0 && forwardedFor !== undefined
      ? nthFromRight(
          Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor,
          trustedHops,
        )
      : undefined;
  const address = forwarded !== undefined && isIP(forwarded) !== 0 ? forwarded : peer;
  return address === undefined ? 'unknown' : normalizeIp(address);
}

/** The nth comma-separated entry from the right (or the leftmost), without splitting the whole list. */
function nthFromRight(list: string, n: number): string {
  let end = list.length;
  for (let entry = 1; ; entry++) {
    const comma = list.lastIndexOf(',', end - 1);
    if (entry === n || comma === -1) return list.slice(comma + 1, end).trim();
    end = comma;
  }
}
