/**
 * Condition types and reasons exactly as the Go constants of sigs.k8s.io/gateway-api v1.6.3 spell
 * them (apis/v1/gatewayclass_types.go, gateway_types.go, shared_types.go): conformance tests and
 * tools compare these strings.
 */

export const GatewayClassCondition = { Accepted: 'Accepted' } as const;
export const GatewayClassReason = { Accepted: 'Accepted' } as const;

export const GatewayCondition = { Accepted: 'Accepted', Programmed: 'Programmed' } as const;
export const GatewayReason = {
  Accepted: 'Accepted',
  ListenersNotValid: 'ListenersNotValid',
  UnsupportedAddress: 'UnsupportedAddress',
  Programmed: 'Programmed',
  Invalid: 'Invalid',
  AddressNotAssigned: 'AddressNotAssigned',
} as const;

export const ListenerCondition = {
  Accepted: 'Accepted',
  Conflicted: 'Conflicted',
  ResolvedRefs: 'ResolvedRefs',
  Programmed: 'Programmed',
  OverlappingTLSConfig: 'OverlappingTLSConfig',
} as const;
export const ListenerReason = {
  Accepted: 'Accepted',
  UnsupportedProtocol: 'UnsupportedProtocol',
  UnsupportedValue: 'UnsupportedValue',
  NoConflicts: 'NoConflicts',
  HostnameConflict: 'HostnameConflict',
  ProtocolConflict: 'ProtocolConflict',
  ResolvedRefs: 'ResolvedRefs',
  InvalidRouteKinds: 'InvalidRouteKinds',
  InvalidCertificateRef: 'InvalidCertificateRef',
  RefNotPermitted: 'RefNotPermitted',
  Programmed: 'Programmed',
  Invalid: 'Invalid',
  OverlappingHostnames: 'OverlappingHostnames',
  OverlappingCertificates: 'OverlappingCertificates',
} as const;

export const RouteCondition = { Accepted: 'Accepted', ResolvedRefs: 'ResolvedRefs' } as const;
export const RouteReason = {
  Accepted: 'Accepted',
  NotAllowedByListeners: 'NotAllowedByListeners',
  NoMatchingListenerHostname: 'NoMatchingListenerHostname',
  NoMatchingParent: 'NoMatchingParent',
  UnsupportedValue: 'UnsupportedValue',
  ResolvedRefs: 'ResolvedRefs',
  RefNotPermitted: 'RefNotPermitted',
  InvalidKind: 'InvalidKind',
  BackendNotFound: 'BackendNotFound',
} as const;

/**
 * A metav1.Condition without lastTransitionTime: the status writer keeps the old time when type,
 * status and reason are unchanged, and stamps a new one otherwise (that is the field's meaning).
 */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration: number;
}

export function condition(
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  generation: number | undefined,
): Condition {
  return {
    type,
    status: ok ? 'True' : 'False',
    reason,
    message,
    observedGeneration: generation ?? 0,
  };
}
