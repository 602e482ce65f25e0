import {
  condition,
  GatewayClassCondition,
  GatewayClassReason,
  GatewayCondition,
  GatewayReason,
  ListenerCondition,
  ListenerReason,
  type Condition,
} from './gateway-api-conditions';
import type { Gateway, GatewayClass, GatewayStatusAddress } from './gateway-api-objects';
import type { GatewayClassStatusModel, GatewayStatusModel } from './gateway-api-model';
import type { ListenerVerdict } from './listener-validation';

/** A GatewayClass naming this controller is Accepted: it takes no parameters to refuse. */
export function gatewayClassStatus(
  gatewayClass: GatewayClass,
  supportedFeatures: readonly string[],
): GatewayClassStatusModel {
  return {
    name: gatewayClass.metadata.name,
    supportedFeatures,
    conditions: [
      condition(
        GatewayClassCondition.Accepted,
        true,
        GatewayClassReason.Accepted,
        'GatewayClass is accepted',
        gatewayClass.metadata.generation,
      ),
    ],
  };
}

/**
 * Whether a Gateway is accepted, before its listeners are: requested `spec.addresses` are refused
 * (UnsupportedAddress) - the address is the one of the Service in front of the gateway.
 */
export function gatewayRefusal(gateway: Gateway): Condition | null {
  if ((gateway.spec.addresses ?? []).length === 0) return null;
  return condition(
    GatewayCondition.Accepted,
    false,
    GatewayReason.UnsupportedAddress,
    'spec.addresses is not supported',
    gateway.metadata.generation,
  );
}

/**
 * A Gateway's status: Accepted True (Accepted) when every listener is accepted and programmed,
 * True (ListenersNotValid) when some are accepted, False (ListenersNotValid) when none is;
 * Programmed True once it is accepted and has an address, else False (Invalid, or
 * AddressNotAssigned). A listener that is accepted but not programmed (its certificateRefs do not
 * resolve) makes the reason ListenersNotValid - it "cannot be configured on the Gateway"
 * (gateway_types.go, GatewayReasonListenersNotValid) - but not the status False: the conformance
 * suite's readiness checks, run while its Gateways whose only listener lacks a ReferenceGrant for
 * its Secret exist, want every Gateway Accepted and Programmed True. Listeners carry their
 * verdict's conditions (OverlappingTLSConfig among them when translate added it: it does not touch
 * the Gateway's) and the number of routes attached to them.
 */
export function gatewayStatus(
  gateway: Gateway,
  listeners: readonly ListenerVerdict[],
  attachedRoutes: ReadonlyMap<string, number>,
  addresses: readonly GatewayStatusAddress[],
): GatewayStatusModel {
  const generation = gateway.metadata.generation;
  const refused = listeners.filter((l) => !l.accepted).length;
  const invalid = listeners.filter((l) => !l.programmed).map((l) => l.listener.name);
  const accepted =
    gatewayRefusal(gateway) ??
    (invalid.length === 0
      ? condition(
          GatewayCondition.Accepted,
          true,
          GatewayReason.Accepted,
          'Gateway is accepted',
          generation,
        )
      : condition(
          GatewayCondition.Accepted,
          refused < listeners.length,
          GatewayReason.ListenersNotValid,
          `listeners not valid: ${invalid.join(', ')}`,
          generation,
        ));
  const programmed =
    accepted.status !== 'True'
      ? condition(
          GatewayCondition.Programmed,
          false,
          GatewayReason.Invalid,
          'Gateway is not accepted',
          generation,
        )
      : addresses.length === 0
        ? condition(
            GatewayCondition.Programmed,
            false,
            GatewayReason.AddressNotAssigned,
            'no address assigned yet',
            generation,
          )
        : condition(
            GatewayCondition.Programmed,
            true,
            GatewayReason.Programmed,
            'Gateway is programmed',
            generation,
          );
  return {
    gateway: { namespace: gateway.metadata.namespace, name: gateway.metadata.name },
    addresses: accepted.status === 'True' ? addresses : [],
    conditions: [accepted, programmed],
    listeners: listeners.map((l) => ({
      name: l.listener.name,
      supportedKinds: l.supportedKinds,
      attachedRoutes: attachedRoutes.get(l.listener.name) ?? 0,
      // A refused Gateway programs none of its listeners, valid as they may be.
      conditions:
        accepted.status === 'True'
          ? l.conditions
          : l.conditions.map((c) =>
              c.type === ListenerCondition.Programmed
                ? condition(
                    c.type,
                    false,
                    ListenerReason.Invalid,
                    'Gateway is not accepted',
                    generation,
                  )
                : c,
            ),
    })),
  };
}
