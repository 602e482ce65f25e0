import type { Condition } from './gateway-api-conditions';
import type {
  GatewayStatusAddress,
  HTTPMethod,
  ParentReference,
  RouteGroupKind,
  RouteKind,
} from './gateway-api-objects';

/**
 * What the Gateway API objects attached to this controller's Gateways ask the gateway to serve,
 * resolved (defaults applied, references checked, precedence ordered) but not yet in the shape of
 * libs/routes' RouteTable: docs/adr/0011-gateway-api.md says how it maps there. Plain data, so a
 * translation can be compared, hashed and logged.
 */

export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

export interface GatewayModel {
  readonly gateway: ObjectRef;
  /** Programmed listeners only (accepted, certificates resolved), in the Gateway's order. */
  readonly listeners: readonly ListenerModel[];
}

/**
 * One programmed listener. Listeners of one port that differ by hostname share that port: a request
 * goes to the listener with the most specific hostname that takes its Host (exact, then longer
 * wildcards, then none), and only its routes are considered.
 */
export interface ListenerModel {
  readonly name: string;
  readonly port: number;
  /** HTTPS: the data plane terminates TLS with `certificates`, then serves it as HTTP. */
  readonly protocol: 'HTTP' | 'HTTPS';
  /** HTTPS: the certificateRefs' certificates and keys, in their order; HTTP: none. */
  readonly certificates: readonly ListenerCertificate[];
  /** Lower case; null: any host. */
  readonly hostname: string | null;
  /**
   * Virtual hosts, most specific first (exact names, longer first, then wildcards, then ANY_HOST):
   * a request is matched only against the first one whose name takes its Host.
   */
  readonly hosts: readonly VirtualHost[];
}

/** One certificateRef's Secret, checked: the key is the certificate's. */
export interface ListenerCertificate {
  /** PEM: the certificate, then any intermediates (`tls.crt`). */
  readonly certificate: string;
  /** PEM (`tls.key`). */
  readonly privateKey: string;
}

export interface VirtualHost {
  /** A name, a `*.` wildcard, or ANY_HOST (`*`). */
  readonly hostname: string;
  /** In precedence order (match-precedence.ts): the first that matches a request serves it. */
  readonly matches: readonly ServedMatch[];
}

/** Where a served match came from: for names, logs, and precedence between routes. */
export interface MatchSource {
  readonly namespace: string;
  readonly route: string;
  readonly creationTimestamp: string;
  /** Index of the rule in the route, and of the match in the rule. */
  readonly rule: number;
  readonly match: number;
  readonly ruleName: string | null;
  /** Absent: an HTTPRoute's. */
  readonly kind?: 'GRPCRoute';
}

export interface ServedMatch {
  readonly source: MatchSource;
  /**
   * `grpc`: a GRPCRoute's match, as an HTTP/2 POST of `/<service>/<method>`; the data plane must
   * take it over HTTP/2 (h2c on an HTTP listener) and pass trailers through. Absent: HTTP.
   */
  readonly protocol?: 'grpc';
  readonly path: { readonly kind: 'exact' | 'prefix'; readonly value: string };
  readonly method: HTTPMethod | null;
  /** Exact matches; names lower case (HTTP header names are case-insensitive). */
  readonly headers: readonly NameValue[];
  /** Exact matches; names as written (query parameter names are case-sensitive). */
  readonly queryParams: readonly NameValue[];
  readonly filters: RouteFilters;
  /**
   * Weighted backends. A request takes one with probability weight / sum of weights; the share of
   * an `invalid` backend is answered 500, as the spec requires. Empty, or all weights 0, with no
   * redirect: every request is answered 500.
   */
  readonly backends: readonly WeightedBackend[];
  readonly timeouts: RouteTimeouts;
}

/** A rule's timeouts in ms; null: the gateway's own. */
export interface RouteTimeouts {
  /** The whole request, retries included. */
  readonly requestMs: number | null;
  /** Each request to a backend (an attempt). */
  readonly backendRequestMs: number | null;
}

export interface NameValue {
  readonly name: string;
  readonly value: string;
}

export interface HeaderModifier {
  /** Names lower case. */
  readonly set: readonly NameValue[];
  readonly add: readonly NameValue[];
  readonly remove: readonly string[];
}

export type PathModifier =
  | { readonly kind: 'full'; readonly path: string }
  | { readonly kind: 'prefix'; readonly prefix: string };

export interface RouteFilters {
  readonly requestHeaders: HeaderModifier | null;
  readonly responseHeaders: HeaderModifier | null;
  /** Answered by the gateway itself; a rule with a redirect has no backends. */
  readonly redirect: {
    readonly scheme: string | null;
    readonly hostname: string | null;
    readonly port: number | null;
    readonly path: PathModifier | null;
    readonly statusCode: number;
  } | null;
  readonly rewrite: { readonly hostname: string | null; readonly path: PathModifier | null } | null;
}

export type WeightedBackend =
  | {
      readonly kind: 'service';
      readonly weight: number;
      readonly service: ObjectRef & { readonly port: number };
      /** Ready endpoints of that Service port (`address:port`, IPv6 in brackets), sorted. */
      readonly endpoints: readonly string[];
      /** Filters of the backendRef itself, applied after the rule's. */
      readonly requestHeaders: HeaderModifier | null;
      readonly responseHeaders: HeaderModifier | null;
    }
  | { readonly kind: 'invalid'; readonly weight: number; readonly reason: string };

// --- status ---------------------------------------------------------------------------------

export interface GatewayClassStatusModel {
  readonly name: string;
  readonly conditions: readonly Condition[];
  /** The features this gateway serves, sorted (supported-features.ts). */
  readonly supportedFeatures: readonly string[];
}

export interface ListenerStatusModel {
  readonly name: string;
  readonly supportedKinds: readonly RouteGroupKind[];
  readonly attachedRoutes: number;
  readonly conditions: readonly Condition[];
}

export interface GatewayStatusModel {
  readonly gateway: ObjectRef;
  readonly addresses: readonly GatewayStatusAddress[];
  readonly conditions: readonly Condition[];
  readonly listeners: readonly ListenerStatusModel[];
}

export interface RouteParentStatusModel {
  /** The parentRef as the route wrote it. */
  readonly parentRef: ParentReference;
  readonly controllerName: string;
  readonly conditions: readonly Condition[];
}

/** Only the parents this controller owns: other controllers' entries are theirs to write. */
export interface RouteStatusModel {
  readonly route: ObjectRef;
  readonly kind: RouteKind;
  readonly parents: readonly RouteParentStatusModel[];
}

export interface Translation {
  readonly gateways: readonly GatewayModel[];
  readonly status: {
    readonly gatewayClasses: readonly GatewayClassStatusModel[];
    readonly gateways: readonly GatewayStatusModel[];
    readonly routes: readonly RouteStatusModel[];
  };
}
