import {
  condition,
  ListenerCondition,
  ListenerReason,
  type Condition,
} from './gateway-api-conditions';
import type { Gateway, Listener, RouteGroupKind } from './gateway-api-objects';
import type { ListenerCertificate } from './gateway-api-model';
import { resolveCertificates, type CertificateSources } from './listener-certificates';
import { isSupportedProtocol, listenerKinds } from './route-attachment';

export interface ListenerVerdict {
  readonly listener: Listener;
  /** Accepted True: routes may attach (and count in attachedRoutes). */
  readonly accepted: boolean;
  /** Accepted and its certificates resolved: served (in GatewayModel.listeners). */
  readonly programmed: boolean;
  /** HTTPS: the certificateRefs' certificates, once all resolve; otherwise none. */
  readonly certificates: readonly ListenerCertificate[];
  readonly supportedKinds: readonly RouteGroupKind[];
  /**
   * Accepted, Conflicted, ResolvedRefs, Programmed - attachedRoutes is counted later, and
   * OverlappingTLSConfig, which compares listeners across Gateways, added later (tls-overlap.ts).
   */
  readonly conditions: readonly Condition[];
}

/** What listeners are judged against besides their Gateway. */
export interface ListenerContext extends CertificateSources {
  /** Whether HTTPS listeners are served, TLS terminated by the gateway (TranslateOptions). */
  readonly https: boolean;
  /** Whether GRPCRoutes are served (TranslateOptions); absent: not. */
  readonly grpc?: boolean;
}

const HTTP_ONLY: ListenerContext = { https: false, secrets: undefined, referenceGrants: [] };

/**
 * Judges each listener of a Gateway: a protocol this implementation serves (HTTP, and HTTPS when
 * `context.https`; otherwise UnsupportedProtocol; HTTPS with tls.mode Passthrough UnsupportedValue);
 * distinct from the other HTTP, HTTPS or TLS listeners (same port, another protocol:
 * ProtocolConflict; same port, protocol and hostname: HostnameConflict - all of a conflicting set
 * are refused, none wins, as GatewaySpec `listeners` requires); allowedRoutes kinds it can serve
 * (ResolvedRefs False, InvalidRouteKinds, when some cannot: routes of those kinds do not attach);
 * an HTTPS listener's certificateRefs (listener-certificates.ts: ResolvedRefs False,
 * InvalidCertificateRef or RefNotPermitted, when one does not resolve - the listener stays
 * Accepted, so routes still attach as ListenerStatus `attachedRoutes` requires, but is not
 * Programmed nor served).
 */
export function validateListeners(
  gateway: Gateway,
  context: ListenerContext = HTTP_ONLY,
): ListenerVerdict[] {
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
    const kinds = listenerKinds(listener, context.https, context.grpc ?? false);
    const supportedProtocol = isSupportedProtocol(listener.protocol, context.https);
    const https = supportedProtocol && listener.protocol === 'HTTPS';
    // Passthrough hands the TLS stream to a TLSRoute's backend, which this gateway does not serve.
    const passthrough = https && listener.tls?.mode === 'Passthrough';
    const tls = https && !passthrough ? resolveCertificates(gateway, listener, context) : null;
    const kindsOk = kinds.invalid.length === 0;
    const accepted = supportedProtocol && !passthrough && conflict === null;
    const programmed = accepted && (tls === null || tls.ok);

    const acceptedCondition = !supportedProtocol
      ? condition(
          ListenerCondition.Accepted,
          false,
          ListenerReason.UnsupportedProtocol,
          listener.protocol === 'HTTPS'
            ? "protocol HTTPS is not served: HTTPS listeners need the chart's gatewayApi.https.enabled"
            : `protocol ${listener.protocol} is not supported (${context.https ? 'HTTP and HTTPS' : 'HTTP'} only)`,
          generation,
        )
      : passthrough
        ? condition(
            ListenerCondition.Accepted,
            false,
            ListenerReason.UnsupportedValue,
            'tls.mode Passthrough is not supported (TLSRoute is not served): HTTPS listeners terminate TLS',
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
    const invalidKinds = `route kinds not supported: ${kinds.invalid.map((k) => k.kind).join(', ')}`;
    // One ResolvedRefs condition, one reason: when both certificates and route kinds fail, the
    // certificates' reason - it is the one that keeps the listener from being served - and the
    // message names both.
    const resolvedRefs =
      tls !== null && !tls.ok
        ? condition(
            ListenerCondition.ResolvedRefs,
            false,
            tls.reason,
            kindsOk ? tls.message : `${tls.message}; ${invalidKinds}`,
            generation,
          )
        : kindsOk
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
              invalidKinds,
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
      resolvedRefs,
      programmed
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
            accepted
              ? 'Listener is invalid: its certificateRefs do not resolve'
              : 'Listener is invalid',
            generation,
          ),
    ];
    return {
      listener,
      accepted,
      programmed,
      certificates: programmed && tls !== null && tls.ok ? tls.certificates : [],
      supportedKinds: kinds.supported,
      conditions,
    };
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
