import { Buffer } from 'node:buffer';
import type { Listener, ReferenceGrant, Secret } from './gateway-api-objects';

/**
 * A self-signed P-256 certificate for example.com (valid until 2126) and its key, made with
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500
 * -subj /CN=example.com`, and a second P-256 key that does not belong to it: node:crypto can check
 * certificates and keys but not make X.509 certificates, so the specs use these. Test data only.
 */

export const CERTIFICATE_PEM = `-----BEGIN CERTIFICATE-----
MIIBgzCCASmgAwIBAgIUe4wZGh0r+HrbLSxqH1FxkBHVbfowCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLZXhhbXBsZS5jb20wIBcNMjYxMjA1MDYwMjAwWhgPMjEyNjEx
MTEwNjAyMDBaMBYxFDASBgNVBAMMC2V4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEScaICBtp3kaeGLKrXefQKt699d6QLSt02Ax7eFQt4NgoFAFN
BREjWNR7/0w9giFvln28bSt2rKE+k4HZhd8wnaNTMFEwHQYDVR0OBBYEFD9QqCE9
0kq4AbVHoMRvEncW+v48MB8GA1UdIwQYMBaAFD9QqCE90kq4AbVHoMRvEncW+v48
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgXewBy8pMkOCKqxro
37XzNpVwAKYd05WLwvOBZNKeqOoCIQCtXdwkYlAzhiuUclZ0YY5IL97dGvv7NLZn
EMH+52CgEw==
-----END CERTIFICATE-----
`;

export const PRIVATE_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgLGnyoKCj3nZ4z3yg
TGzk6BcyEQ+OfdvBoO2usyeQXc6hRANCAARJxogIG2neRp4Ysqtd59Aq3r313pAt
K3TYDHt4VC3g2CgUAU0FESNY1Hv/TD2CIW+WfbxtK3asoT6TgdmF3zCd
-----END PRIVATE KEY-----
`;

/** A valid key of the same curve that is not the certificate's. */
export const OTHER_PRIVATE_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0J/2j1tYaF7zl4aw
3e3viN/IfmFbYp5BnZPBQ7spovmhRANCAAT5O3fIudCj8AE/05HLptM37X/dpZGv
j0rjtDWVk4CLcbA/2nnXlkvwZWPPqyYaMrZXvtAu3I+6EKdrZb8Y8dWL
-----END PRIVATE KEY-----
`;

/**
 * A second self-signed certificate, for other.example.com, whose key is OTHER_PRIVATE_KEY_PEM:
 * `openssl req -x509 -key <OTHER_PRIVATE_KEY_PEM> -nodes -days 36500 -subj /CN=other.example.com`.
 * Two listeners presenting different certificates. Test data only.
 */
export const OTHER_CERTIFICATE_PEM = `-----BEGIN CERTIFICATE-----
MIIBjzCCATWgAwIBAgIUV8ymLUMM6ro1zOQk8pFQC7Z7uqswCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRb3RoZXIuZXhhbXBsZS5jb20wIBcNMjYxMjA1MTMwNDA2WhgP
MjEyNjExMTExMzA0MDZaMBwxGjAYBgNVBAMMEW90aGVyLmV4YW1wbGUuY29tMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE+Tt3yLnQo/ABP9ORy6bTN+1/3aWRr49K
47Q1lZOAi3GwP9p515ZL8GVjz6smGjK2V77QLtyPuhCna2W/GPHVi6NTMFEwHQYD
VR0OBBYEFI2Dm0u3cAaIgydEgZexSSZFqunHMB8GA1UdIwQYMBaAFI2Dm0u3cAaI
gydEgZexSSZFqunHMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIh
AL3BAaJ9MtZCGyd2/iaDpZv2yCHCpzzuywXAL8Fp31UHAiBLfVexU5tursFCOKJY
KgWqBRHFqGDPiEPi/kHgEiTxKA==
-----END CERTIFICATE-----
`;

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** A Secret as the API server serves it: `tls.crt` and `tls.key` base64. */
export function tlsSecret(
  namespace: string,
  name: string,
  options: { certificate?: string; privateKey?: string; type?: string } = {},
): Secret {
  return {
    metadata: { namespace, name },
    type: options.type ?? 'kubernetes.io/tls',
    data: {
      'tls.crt': base64(options.certificate ?? CERTIFICATE_PEM),
      'tls.key': base64(options.privateKey ?? PRIVATE_KEY_PEM),
    },
  };
}

/** An HTTPS listener on 443 terminating TLS with these certificateRefs. */
export function httpsListener(
  name: string,
  certificateRefs: NonNullable<Listener['tls']>['certificateRefs'],
  extra: Partial<Listener> = {},
): Listener {
  return { name, port: 443, protocol: 'HTTPS', tls: { certificateRefs }, ...extra };
}

/** A ReferenceGrant in `namespace` letting Gateways of `fromNamespace` name Secrets there. */
export function secretGrant(
  namespace: string,
  fromNamespace: string,
  options: { name?: string; fromKind?: string } = {},
): ReferenceGrant {
  return {
    metadata: { namespace, name: `secrets-for-${fromNamespace}` },
    spec: {
      from: [
        {
          group: 'gateway.networking.k8s.io',
          kind: options.fromKind ?? 'Gateway',
          namespace: fromNamespace,
        },
      ],
      to: [
        {
          group: '',
          kind: 'Secret',
          ...(options.name === undefined ? {} : { name: options.name }),
        },
      ],
    },
  };
}
