import { Buffer } from 'node:buffer';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { ListenerReason } from './gateway-api-conditions';
import {
  GATEWAY_API_GROUP,
  TLS_SECRET_TYPE,
  type Gateway,
  type Listener,
  type ReferenceGrant,
  type Secret,
} from './gateway-api-objects';
import type { ListenerCertificate } from './gateway-api-model';
import { referenceAllowed } from './reference-grant';

export interface CertificateSources {
  /** Absent: the gateway does not read Secrets (none resolves). */
  readonly secrets: readonly Secret[] | undefined;
  readonly referenceGrants: readonly ReferenceGrant[];
}

interface CertificateFailure {
  readonly reason:
    typeof ListenerReason.InvalidCertificateRef | typeof ListenerReason.RefNotPermitted;
  readonly message: string;
}

export type CertificateResolution =
  | { readonly ok: true; readonly certificates: readonly ListenerCertificate[] }
  | ({ readonly ok: false } & CertificateFailure);

type CertificateRef = NonNullable<NonNullable<Listener['tls']>['certificateRefs']>[number];

/**
 * The certificates of a Terminate listener, every certificateRef resolved: a reference to another
 * namespace needs a ReferenceGrant there from this Gateway (else RefNotPermitted - checked first,
 * since InvalidCertificateRef may be given only for a reference that is allowed: gateway_types.go,
 * ListenerReasonInvalidCertificateRef); then a core Secret of type kubernetes.io/tls whose `tls.crt`
 * and `tls.key` are a PEM certificate and the private key that belongs to it (else
 * InvalidCertificateRef, also when there is no certificateRef at all). One bad reference fails the
 * listener: it is not served with part of its certificates. The reason is the first bad
 * reference's; the message names every bad one.
 */
export function resolveCertificates(
  gateway: Gateway,
  listener: Listener,
  sources: CertificateSources,
): CertificateResolution {
  const refs = listener.tls?.certificateRefs ?? [];
  if (refs.length === 0) {
    return {
      ok: false,
      reason: ListenerReason.InvalidCertificateRef,
      message: 'an HTTPS listener that terminates TLS needs a certificateRef',
    };
  }
  const certificates: ListenerCertificate[] = [];
  const failures: CertificateFailure[] = [];
  for (const ref of refs) {
    const resolved = resolveOne(gateway, ref, sources);
    if ('reason' in resolved) failures.push(resolved);
    else certificates.push(resolved);
  }
  if (failures.length > 0) {
    return {
      ok: false,
      reason: failures[0].reason,
      message: failures.map((f) => f.message).join('; '),
    };
  }
  return { ok: true, certificates };
}

function resolveOne(
  gateway: Gateway,
  ref: CertificateRef,
  sources: CertificateSources,
): ListenerCertificate | CertificateFailure {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Secret';
  const namespace = ref.namespace ?? gateway.metadata.namespace;
  const name = `${namespace}/${ref.name}`;
  if (
    !referenceAllowed(
      sources.referenceGrants,
      { group: GATEWAY_API_GROUP, kind: 'Gateway', namespace: gateway.metadata.namespace },
      { group, kind, namespace, name: ref.name },
    )
  ) {
    return {
      reason: ListenerReason.RefNotPermitted,
      message: `certificateRef ${name}: no ReferenceGrant in ${namespace} allows it`,
    };
  }
  if (group !== '' || kind !== 'Secret') {
    return invalid(
      `certificateRef ${name}: ${group === '' ? 'core' : group} ${kind} is not a core Secret`,
    );
  }
  if (sources.secrets === undefined) {
    return invalid(`certificateRef ${name}: this gateway does not read Secrets`);
  }
  const secret = sources.secrets.find(
    (s) => s.metadata.namespace === namespace && s.metadata.name === ref.name,
  );
  if (secret === undefined) return invalid(`certificateRef ${name}: Secret not found`);
  if (secret.type !== TLS_SECRET_TYPE) {
    return invalid(
      `certificateRef ${name}: Secret type is ${secret.type ?? 'Opaque'}, not ${TLS_SECRET_TYPE}`,
    );
  }
  const certificate = decoded(secret.data?.['tls.crt']);
  const privateKey = decoded(secret.data?.['tls.key']);
  const problem = certificateProblem(certificate, privateKey);
  return problem === null
    ? { certificate, privateKey }
    : invalid(`certificateRef ${name}: ${problem}`);
}

/**
 * Why `tls.crt` and `tls.key` cannot serve, or null: each certificate of the chain must parse,
 * the key must parse, and the first certificate (the one presented) must be the key's.
 */
function certificateProblem(certificate: string, privateKey: string): string | null {
  const blocks = certificate.match(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g);
  // X509Certificate takes DER too: a PEM block is required, as kubernetes.io/tls specifies.
  if (blocks === null) return 'tls.crt holds no PEM certificate';
  let leaf: X509Certificate;
  try {
    [leaf] = blocks.map((block) => new X509Certificate(block));
  } catch (error) {
    return `tls.crt is not a valid certificate (${(error as Error).message})`;
  }
  if (!privateKey.includes('-----BEGIN')) return 'tls.key holds no PEM private key';
  let key;
  try {
    key = createPrivateKey(privateKey);
  } catch (error) {
    return `tls.key is not a valid private key (${(error as Error).message})`;
  }
  if (!leaf.checkPrivateKey(key)) {
    return 'tls.key is not the private key of the certificate in tls.crt';
  }
  return null;
}

function decoded(value: string | undefined): string {
  return value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
}

function invalid(message: string): CertificateFailure {
  return { reason: ListenerReason.InvalidCertificateRef, message };
}

/**
 * One key per set of certificates, order ignored: equal keys, the same TLS configuration (the TLS
 * port's shared contexts, OverlappingTLSConfig's "other certificates").
 */
export function certificateSetKey(certificates: readonly ListenerCertificate[]): string {
  return certificates
    .map((c) => `${c.certificate}\n${c.privateKey}`)
    .sort()
    .join('\n');
}
