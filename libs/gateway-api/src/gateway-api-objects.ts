/**
 * The part of the Kubernetes objects the Gateway API translator reads, as the API server serves
 * them (JSON field names of gateway.networking.k8s.io/v1 at v1.6.3 - apis/v1/*.go and
 * config/crd/standard of sigs.k8s.io/gateway-api - and of core/v1 and discovery.k8s.io/v1).
 * Optional here where the Go types have `omitempty` or a pointer: the CRD defaults may not be
 * applied to objects an older API server stored, so the translator applies them itself.
 * Fields the translator does not read are left out; extra fields of real objects are allowed.
 */

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly generation?: number;
  /** The version a status replace must name, so a write over a newer object is refused. */
  readonly resourceVersion?: string;
  /** RFC 3339, as the API server writes it: precedence between routes goes by it. */
  readonly creationTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Read only on the Services this controller makes for its Gateways (gateway-services.ts). */
  readonly ownerReferences?: readonly OwnerReference[];
}

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

/** metav1.LabelSelector: every matchLabels pair and every expression must hold. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

// --- gateway.networking.k8s.io/v1 -----------------------------------------------------------

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

export interface GatewayClass {
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly controllerName: string;
    readonly parametersRef?: {
      readonly group: string;
      readonly kind: string;
      readonly name: string;
      readonly namespace?: string;
    };
    readonly description?: string;
  };
  readonly status?: GatewayClassStatus;
}

/** metav1.Condition as stored: what status.conditions hold on every Gateway API object. */
export interface StoredCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
  readonly lastTransitionTime: string;
}

export interface GatewayClassStatus {
  readonly conditions?: readonly StoredCondition[];
  readonly supportedFeatures?: readonly { readonly name: string }[];
}

export type ProtocolType = 'HTTP' | 'HTTPS' | 'TLS' | 'TCP' | 'UDP' | (string & {});
export type FromNamespaces = 'All' | 'Selector' | 'Same' | 'None';

export interface RouteGroupKind {
  /** Default: gateway.networking.k8s.io. */
  readonly group?: string;
  readonly kind: string;
}

export interface AllowedRoutes {
  readonly namespaces?: {
    /** Default: Same. */
    readonly from?: FromNamespaces;
    readonly selector?: LabelSelector;
  };
  /** Empty or absent: the kinds the listener's protocol supports. */
  readonly kinds?: readonly RouteGroupKind[];
}

export interface Listener {
  readonly name: string;
  readonly hostname?: string;
  readonly port: number;
  readonly protocol: ProtocolType;
  readonly tls?: {
    readonly mode?: 'Terminate' | 'Passthrough';
    readonly certificateRefs?: readonly {
      readonly group?: string;
      readonly kind?: string;
      readonly name: string;
      readonly namespace?: string;
    }[];
  };
  /** Default: `{ namespaces: { from: Same } }`. */
  readonly allowedRoutes?: AllowedRoutes;
}

export interface GatewayStatusAddress {
  /** Default: IPAddress. */
  readonly type?: 'IPAddress' | 'Hostname' | 'NamedAddress' | (string & {});
  readonly value: string;
}

export interface Gateway {
  readonly metadata: ObjectMeta & { readonly namespace: string };
  readonly spec: {
    readonly gatewayClassName: string;
    readonly listeners: readonly Listener[];
    /** Requested addresses: not supported by this implementation (UnsupportedAddress). */
    readonly addresses?: readonly { readonly type?: string; readonly value?: string }[];
  };
  readonly status?: GatewayStatus;
}

export interface GatewayStatus {
  readonly addresses?: readonly GatewayStatusAddress[];
  readonly conditions?: readonly StoredCondition[];
  readonly listeners?: readonly {
    readonly name: string;
    readonly supportedKinds: readonly RouteGroupKind[];
    readonly attachedRoutes: number;
    readonly conditions: readonly StoredCondition[];
  }[];
}

export interface ParentReference {
  /** Default: gateway.networking.k8s.io. */
  readonly group?: string;
  /** Default: Gateway. */
  readonly kind?: string;
  /** Default: the route's namespace. */
  readonly namespace?: string;
  readonly name: string;
  readonly sectionName?: string;
  readonly port?: number;
}

export interface HTTPPathMatch {
  /** Default: PathPrefix. */
  readonly type?: 'Exact' | 'PathPrefix' | 'RegularExpression';
  /** Default: `/`. */
  readonly value?: string;
}

export interface HTTPHeaderMatch {
  /** Default: Exact. */
  readonly type?: 'Exact' | 'RegularExpression';
  readonly name: string;
  readonly value: string;
}

export type HTTPQueryParamMatch = HTTPHeaderMatch;

export type HTTPMethod =
  'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';

export interface HTTPRouteMatch {
  readonly path?: HTTPPathMatch;
  readonly headers?: readonly HTTPHeaderMatch[];
  readonly queryParams?: readonly HTTPQueryParamMatch[];
  readonly method?: HTTPMethod;
}

export interface HTTPHeader {
  readonly name: string;
  readonly value: string;
}

export interface HTTPHeaderFilter {
  readonly set?: readonly HTTPHeader[];
  readonly add?: readonly HTTPHeader[];
  readonly remove?: readonly string[];
}

export interface HTTPPathModifier {
  readonly type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  readonly replaceFullPath?: string;
  readonly replacePrefixMatch?: string;
}

export interface HTTPRequestRedirectFilter {
  readonly scheme?: 'http' | 'https';
  readonly hostname?: string;
  readonly path?: HTTPPathModifier;
  readonly port?: number;
  /** Default: 302. */
  readonly statusCode?: 301 | 302 | 303 | 307 | 308;
}

export interface HTTPURLRewriteFilter {
  readonly hostname?: string;
  readonly path?: HTTPPathModifier;
}

export type HTTPRouteFilterType =
  | 'RequestHeaderModifier'
  | 'ResponseHeaderModifier'
  | 'RequestRedirect'
  | 'URLRewrite'
  | 'RequestMirror'
  | 'CORS'
  | 'ExternalAuth'
  | 'ExtensionRef';

export interface HTTPRouteFilter {
  readonly type: HTTPRouteFilterType;
  readonly requestHeaderModifier?: HTTPHeaderFilter;
  readonly responseHeaderModifier?: HTTPHeaderFilter;
  readonly requestRedirect?: HTTPRequestRedirectFilter;
  readonly urlRewrite?: HTTPURLRewriteFilter;
}

/** BackendObjectReference + weight (BackendRef) + filters (HTTPBackendRef). */
export interface HTTPBackendRef {
  /** Default: "" (core). */
  readonly group?: string;
  /** Default: Service. */
  readonly kind?: string;
  readonly name: string;
  /** Default: the route's namespace; another one needs a ReferenceGrant. */
  readonly namespace?: string;
  /** Required when the referent is a Service (a CEL rule of the CRD). */
  readonly port?: number;
  /** Default: 1; 0 takes no traffic. */
  readonly weight?: number;
  readonly filters?: readonly HTTPRouteFilter[];
}

export interface HTTPRouteRule {
  readonly name?: string;
  /** Default: one match, PathPrefix `/`. */
  readonly matches?: readonly HTTPRouteMatch[];
  readonly filters?: readonly HTTPRouteFilter[];
  readonly backendRefs?: readonly HTTPBackendRef[];
  readonly timeouts?: HTTPRouteTimeouts;
}

/** Durations such as `10s`, `500ms`, `1h30m`; `0s` turns the timeout off. */
export interface HTTPRouteTimeouts {
  readonly request?: string;
  readonly backendRequest?: string;
}

export interface HTTPRoute {
  readonly metadata: ObjectMeta & { readonly namespace: string };
  readonly spec: {
    readonly parentRefs?: readonly ParentReference[];
    readonly hostnames?: readonly string[];
    /** Default: one rule with the default match. */
    readonly rules?: readonly HTTPRouteRule[];
  };
  readonly status?: RouteStatus;
}

/** GRPCMethodMatch: at least one of service and method (a CEL rule of the CRD). */
export interface GRPCMethodMatch {
  /** Default: Exact. */
  readonly type?: 'Exact' | 'RegularExpression';
  /** A fully qualified service name, e.g. `foo.bar.Echo`; absent: any service. */
  readonly service?: string;
  /** Absent: any method of the service. */
  readonly method?: string;
}

export interface GRPCHeaderMatch {
  /** Default: Exact. */
  readonly type?: 'Exact' | 'RegularExpression';
  readonly name: string;
  readonly value: string;
}

export interface GRPCRouteMatch {
  /** Absent: every method of every service. */
  readonly method?: GRPCMethodMatch;
  readonly headers?: readonly GRPCHeaderMatch[];
}

export type GRPCRouteFilterType =
  'RequestHeaderModifier' | 'ResponseHeaderModifier' | 'RequestMirror' | 'ExtensionRef';

export interface GRPCRouteFilter {
  readonly type: GRPCRouteFilterType;
  readonly requestHeaderModifier?: HTTPHeaderFilter;
  readonly responseHeaderModifier?: HTTPHeaderFilter;
}

/** BackendObjectReference + weight (BackendRef) + filters (GRPCBackendRef). */
export interface GRPCBackendRef {
  /** Default: "" (core). */
  readonly group?: string;
  /** Default: Service. */
  readonly kind?: string;
  readonly name: string;
  /** Default: the route's namespace; another one needs a ReferenceGrant. */
  readonly namespace?: string;
  /** Required when the referent is a Service (a CEL rule of the CRD). */
  readonly port?: number;
  /** Default: 1; 0 takes no traffic. */
  readonly weight?: number;
  readonly filters?: readonly GRPCRouteFilter[];
}

export interface GRPCRouteRule {
  readonly name?: string;
  /** Absent or empty: every gRPC request. */
  readonly matches?: readonly GRPCRouteMatch[];
  readonly filters?: readonly GRPCRouteFilter[];
  readonly backendRefs?: readonly GRPCBackendRef[];
}

export interface GRPCRoute {
  readonly metadata: ObjectMeta & { readonly namespace: string };
  readonly spec: {
    readonly parentRefs?: readonly ParentReference[];
    readonly hostnames?: readonly string[];
    /** Absent: one rule matching every gRPC request, with no backends. */
    readonly rules?: readonly GRPCRouteRule[];
  };
  readonly status?: RouteStatus;
}

/** The route kinds the translator reads. */
export type RouteKind = 'HTTPRoute' | 'GRPCRoute';

/** RouteStatus: one entry per parentRef per controller; each controller writes only its own. */
export interface RouteStatus {
  readonly parents?: readonly {
    readonly parentRef: ParentReference;
    readonly controllerName: string;
    readonly conditions?: readonly StoredCondition[];
  }[];
}

export interface ReferenceGrant {
  readonly metadata: ObjectMeta & { readonly namespace: string };
  readonly spec: {
    readonly from: readonly {
      readonly group: string;
      readonly kind: string;
      readonly namespace: string;
    }[];
    /** `name` absent: every object of that group and kind in the grant's namespace. */
    readonly to: readonly {
      readonly group: string;
      readonly kind: string;
      readonly name?: string;
    }[];
  };
}

// --- core/v1 and discovery.k8s.io/v1 --------------------------------------------------------

export interface Namespace {
  readonly metadata: ObjectMeta;
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  /** Default: TCP. */
  readonly protocol?: string;
  readonly appProtocol?: string;
  readonly targetPort?: number | string;
}

export interface Service {
  readonly metadata: ObjectMeta & { readonly namespace: string };
  readonly spec: {
    readonly type?: string;
    readonly clusterIP?: string;
    readonly ports?: readonly ServicePort[];
    /** Read only on the Services this controller makes for its Gateways (gateway-services.ts). */
    readonly selector?: Readonly<Record<string, string>>;
  };
  readonly status?: {
    readonly loadBalancer?: {
      readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[];
    };
  };
}

/** The Secret type a listener's certificateRefs must name (core `SecretTypeTLS`). */
export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

/** Only what an HTTPS listener reads: its certificate and key. */
export interface Secret {
  readonly metadata: ObjectMeta & { readonly namespace: string };
  /** Default: Opaque. A listener takes only kubernetes.io/tls. */
  readonly type?: string;
  /** Base64 values, as the API server serves them; `tls.crt` and `tls.key` are PEM. */
  readonly data?: Readonly<Record<string, string>>;
}

/** The label by which an EndpointSlice names its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface EndpointSlice {
  readonly metadata: ObjectMeta & { readonly namespace: string };
  readonly addressType: 'IPv4' | 'IPv6' | 'FQDN';
  readonly endpoints?: readonly {
    readonly addresses: readonly string[];
    /** An absent `ready` counts as ready (discovery.k8s.io/v1 EndpointConditions). */
    readonly conditions?: {
      readonly ready?: boolean;
      readonly serving?: boolean;
      readonly terminating?: boolean;
    };
  }[];
  readonly ports?: readonly {
    /** Equals the Service port's name ("" when the Service port has none). */
    readonly name?: string;
    readonly port?: number;
    readonly protocol?: string;
    readonly appProtocol?: string;
  }[];
}

/** Everything one translation reads: the informers' caches at one moment. */
export interface GatewayApiSnapshot {
  readonly gatewayClasses: readonly GatewayClass[];
  readonly gateways: readonly Gateway[];
  readonly httpRoutes: readonly HTTPRoute[];
  /** Served only with TranslateOptions `grpc` (translate.ts); else NotAllowedByListeners. */
  readonly grpcRoutes: readonly GRPCRoute[];
  readonly referenceGrants: readonly ReferenceGrant[];
  readonly namespaces: readonly Namespace[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  /**
   * The TLS Secrets HTTPS listeners' certificateRefs name. Absent: the gateway does not read
   * Secrets, and no certificateRef resolves.
   */
  readonly secrets?: readonly Secret[];
  /**
   * The addresses each Gateway is reachable at (key `namespace/name`), from the Service that
   * fronts it; a Gateway without any is not Programmed (AddressNotAssigned).
   */
  readonly gatewayAddresses?: Readonly<Record<string, readonly GatewayStatusAddress[]>>;
}
