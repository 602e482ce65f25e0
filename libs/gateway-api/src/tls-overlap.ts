import {
  condition,
  ListenerCondition,
  ListenerReason,
  type Condition,
} from './gateway-api-conditions';
import { hostnamesOverlap } from './hostname-intersection';
import { certificateSetKey } from './listener-certificates';
import type { ListenerVerdict } from './listener-validation';
import type { OwnedGateway } from './route-parents';

interface ServedHttps {
  readonly gatewayKey: string;
  readonly verdict: ListenerVerdict;
  readonly generation: number | undefined;
  /** The certificates presented, order ignored: equal keys, the same TLS configuration. */
  readonly certificates: string;
}

/**
 * The listener condition OverlappingTLSConfig (gateway_types.go,
 * ListenerConditionOverlappingTLSConfig), per Gateway key and listener name: only the listeners
 * that get it, since it is a negative polarity condition that "MUST NOT be set when it is False".
 *
 * The spec compares the listeners "on the same port". Here every served HTTPS listener of every
 * Gateway of this controller is on one: the gateway's one TLS port
 * (libs/data-plane/src/tls-termination.ts), whatever its `port` says. So an HTTPS listener that is
 * served (its Gateway accepted, itself Programmed) overlaps every other served one, of its Gateway
 * or another, whose host name can take a common host (hostnamesOverlap: equal, one wildcard taking
 * the other, or either naming no host). There the client hello's SNI name picks one certificate
 * for both, the most specific host name's and, among equal names, the first listener's - and a
 * connection opened for one may be reused for the other (HTTP connection coalescing).
 *
 * "This condition MUST be set on all Listeners with overlapping TLS config": every listener of an
 * overlapping pair gets it, not only the one whose certificates do not answer. Reason
 * OverlappingCertificates when some listener it overlaps presents other certificates (then the
 * other listener's certificate may answer for its host - the spec's "SHOULD" prefers this reason
 * when both hold), else OverlappingHostnames. The certificates are compared as presented (the PEM
 * texts of their Secrets, order ignored), not by their subject names: the spec's "MAY detect"
 * overlapping certificate names on listeners whose host names do not overlap is not done. The
 * message names the overlapping listeners as namespace/gateway/listener, with their host names,
 * and those of other certificates (ten of each at most, then how many more).
 * Listeners not served (refused, certificates unresolved, HTTP) take part in nothing.
 */
export function overlappingTlsConfig(
  owned: ReadonlyMap<string, OwnedGateway>,
): Map<string, Map<string, Condition>> {
  const served: ServedHttps[] = [];
  for (const [gatewayKey, { gateway, accepted, listeners }] of owned) {
    if (!accepted) continue;
    for (const verdict of listeners) {
      if (!verdict.programmed || verdict.listener.protocol !== 'HTTPS') continue;
      served.push({
        gatewayKey,
        verdict,
        generation: gateway.metadata.generation,
        certificates: certificateSetKey(verdict.certificates),
      });
    }
  }

  const conditions = new Map<string, Map<string, Condition>>();
  for (const self of served) {
    const others = served.filter(
      (other) =>
        other !== self &&
        hostnamesOverlap(self.verdict.listener.hostname, other.verdict.listener.hostname),
    );
    if (others.length === 0) continue;
    const otherCertificates = others.filter((o) => o.certificates !== self.certificates);
    const message =
      `hostname ${hostnameOf(self.verdict.listener.hostname)} overlaps those of HTTPS listeners ` +
      `on the one TLS port: ${listed(others.map((o) => `${nameOf(o)} (${hostnameOf(o.verdict.listener.hostname)})`))}` +
      (otherCertificates.length > 0
        ? `; other certificates: ${listed(otherCertificates.map(nameOf))}`
        : '');
    let listeners = conditions.get(self.gatewayKey);
    if (listeners === undefined) {
      listeners = new Map();
      conditions.set(self.gatewayKey, listeners);
    }
    listeners.set(
      self.verdict.listener.name,
      condition(
        ListenerCondition.OverlappingTLSConfig,
        true,
        otherCertificates.length > 0
          ? ListenerReason.OverlappingCertificates
          : ListenerReason.OverlappingHostnames,
        message,
        self.generation,
      ),
    );
  }
  return conditions;
}

/**
 * At most MESSAGE_NAMES names, then how many more: a listener naming no host overlaps every other,
 * and a condition's message may not exceed 32768 characters (metav1.Condition) - a longer one
 * would fail the whole status write.
 */
function listed(names: readonly string[]): string {
  if (names.length <= MESSAGE_NAMES) return names.join(', ');
  return `${names.slice(0, MESSAGE_NAMES).join(', ')} and ${names.length - MESSAGE_NAMES} more`;
}

const MESSAGE_NAMES = 10;

function nameOf(o: ServedHttps): string {
  return `${o.gatewayKey}/${o.verdict.listener.name}`;
}

function hostnameOf(hostname: string | undefined): string {
  return hostname === undefined ? '(none: any host)' : hostname.toLowerCase();
}
