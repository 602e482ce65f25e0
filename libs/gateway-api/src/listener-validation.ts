import {
  condition,
  ListenerCondition,
  ListenerReason,
  type Condition,
} from './gateway-api-conditions';
import type { Gateway, Listener, RouteGroupKind } from './gateway-api-objects';
import { isSupportedProtocol, listenerKinds } from './route-attachment';

export interface ListenerVerdict {
  readonly listener: Listener;
  /** Whether routes may attach and the listener is served. */
  readonly accepted: boolean;
  readonly supportedKinds: readonly RouteGroupKind[];
  /** Accepted, Conflicted, ResolvedRefs, Programmed - attachedRoutes is counted later. */
  readonly conditions: readonly Condition[];
}

/**
 * Judges each listener of a Gateway: a protocol this implementation serves (HTTP; otherwise
 * UnsupportedProtocol); distinct from the other HTTP, HTTPS or TLS listeners (same port, another protocol:
 * ProtocolConflict; same port, protocol and hostname: HostnameConflict - all of a conflicting set
 * are refused, none wins, as GatewaySpec `listeners` requires); allowedRoutes kinds it can serve
 * (ResolvedRefs False, InvalidRouteKinds, when some cannot: routes of those kinds do not attach).
 */
export function validateListeners(gateway: Gateway): ListenerVerdict[] {
  const generation = gateway.metadata.generation;
  const listeners = gateway.spec.listeners;
  return listeners.map((listener) => {
    const samePort = conflictCandidates(listener)
      ? listeners.filter((l) => l !== listener && l.port === listener.port && conflictCandidates(l))
      : [];
    const conflict = samePort.some((l) => l.protocol !== listener.protocol)
      ? ListenerReason.ProtocolConflict
      : samePort.some((l) => sameHostname(l, listener))
        ? ListenerReason.HostnameConflict
        : null;
    const kinds = listenerKinds(listener);
    const supportedProtocol = isSupportedProtocol(listener.protocol);
    const kindsOk = kinds.invalid.length === 0;
    const accepted = supportedProtocol && conflict === null;

    const acceptedCondition = !supportedProtocol
      ? condition(
          ListenerCondition.Accepted,
          false,
          ListenerReason.UnsupportedProtocol,
          `protocol ${listener.protocol} is not supported (HTTP only)`,
          generation,
        )
      : conflict !== null
        ? condition(
            ListenerCondition.Accepted,
            false,
            conflict,
            `listener conflicts with another on port ${listener.port}`,
            generation,
          )
        : condition(
            ListenerCondition.Accepted,
            true,
            ListenerReason.Accepted,
            'Listener is accepted',
            generation,
          );
    const conditions = [
      acceptedCondition,
      conflict === null
        ? condition(
            ListenerCondition.Conflicted,
            false,
            ListenerReason.NoConflicts,
            'No conflicts',
            generation,
          )
        : condition(
            ListenerCondition.Conflicted,
            true,
            conflict,
            conflict === ListenerReason.ProtocolConflict
              ? `another listener on port ${listener.port} has another protocol`
              : `another listener on port ${listener.port} has the same hostname`,
            generation,
          ),
      kindsOk
        ? condition(
            ListenerCondition.ResolvedRefs,
            true,
            ListenerReason.ResolvedRefs,
            'All references resolved',
            generation,
          )
        : condition(
            ListenerCondition.ResolvedRefs,
            false,
            ListenerReason.InvalidRouteKinds,
            `route kinds not supported: ${kinds.invalid.map((k) => k.kind).join(', ')}`,
            generation,
          ),
      accepted
        ? condition(
            ListenerCondition.Programmed,
            true,
            ListenerReason.Programmed,
            'Listener is programmed',
            generation,
          )
        : condition(
            ListenerCondition.Programmed,
            false,
            ListenerReason.Invalid,
            'Listener is invalid',
            generation,
          ),
    ];
    return { listener, accepted, supportedKinds: kinds.supported, conditions };
  });
}

/**
 * Listeners that take part in the distinctness rules: the HTTP family. TCP and UDP listeners are
 * refused (UnsupportedProtocol) and, as GatewaySpec `listeners` says for an implementation
 * without TCP, make no other listener on their port indistinct.
 */
function conflictCandidates(listener: Listener): boolean {
  return ['HTTP', 'HTTPS', 'TLS'].includes(listener.protocol);
}

function sameHostname(a: Listener, b: Listener): boolean {
  return (a.hostname ?? '').toLowerCase() === (b.hostname ?? '').toLowerCase();
}
