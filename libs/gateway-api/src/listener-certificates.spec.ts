import { gateway } from './gateway-api.fixture';
import type { Listener, ReferenceGrant, Secret } from './gateway-api-objects';
import { resolveCertificates } from './listener-certificates';
import {
  CERTIFICATE_PEM,
  httpsListener,
  OTHER_PRIVATE_KEY_PEM,
  PRIVATE_KEY_PEM,
  secretGrant,
  tlsSecret,
} from './tls.fixture';

const GW = gateway('gw', []);

function resolve(
  refs: NonNullable<Listener['tls']>['certificateRefs'],
  secrets: readonly Secret[] | undefined,
  referenceGrants: readonly ReferenceGrant[] = [],
) {
  return resolveCertificates(GW, httpsListener('https', refs), { secrets, referenceGrants });
}

const reasonOf = (result: ReturnType<typeof resolve>) => (result.ok ? 'ok' : result.reason);

describe('resolveCertificates', () => {
  it("resolves a core Secret of the Gateway's namespace, group and kind defaulted", () => {
    expect(resolve([{ name: 'cert' }], [tlsSecret('infra', 'cert')])).toEqual({
      ok: true,
      certificates: [{ certificate: CERTIFICATE_PEM, privateKey: PRIVATE_KEY_PEM }],
    });
    expect(
      resolve([{ group: '', kind: 'Secret', name: 'cert' }], [tlsSecret('infra', 'cert')]).ok,
    ).toBe(true);
  });

  it('keeps the certificateRefs order and takes a chain in tls.crt', () => {
    const chain = `${CERTIFICATE_PEM}${CERTIFICATE_PEM}`;
    const result = resolve(
      [{ name: 'b' }, { name: 'a' }],
      [tlsSecret('infra', 'a'), tlsSecret('infra', 'b', { certificate: chain })],
    );
    expect(result.ok && result.certificates.map((c) => c.certificate)).toEqual([
      chain,
      CERTIFICATE_PEM,
    ]);
  });

  it.each<[string, NonNullable<Listener['tls']>['certificateRefs'], readonly Secret[] | undefined]>(
    [
      ['no certificateRef', [], [tlsSecret('infra', 'cert')]],
      ['a Secret that does not exist', [{ name: 'missing' }], [tlsSecret('infra', 'cert')]],
      [
        'a Secret of another namespace, no namespace on the ref',
        [{ name: 'cert' }],
        [tlsSecret('other', 'cert')],
      ],
      [
        'another group',
        [{ group: 'example.com', kind: 'Secret', name: 'cert' }],
        [tlsSecret('infra', 'cert')],
      ],
      [
        'another kind',
        [{ group: '', kind: 'ConfigMap', name: 'cert' }],
        [tlsSecret('infra', 'cert')],
      ],
      ['an Opaque Secret', [{ name: 'cert' }], [tlsSecret('infra', 'cert', { type: 'Opaque' })]],
      [
        'a Secret without type',
        [{ name: 'cert' }],
        [{ ...tlsSecret('infra', 'cert'), type: undefined }],
      ],
      [
        'data that is not PEM (the suite: base64 of "Hello world")',
        [{ name: 'cert' }],
        [
          {
            metadata: { namespace: 'infra', name: 'cert' },
            type: 'kubernetes.io/tls',
            data: { 'tls.crt': 'SGVsbG8gd29ybGQK', 'tls.key': 'SGVsbG8gd29ybGQK' },
          },
        ],
      ],
      [
        'no data',
        [{ name: 'cert' }],
        [{ metadata: { namespace: 'infra', name: 'cert' }, type: 'kubernetes.io/tls' }],
      ],
      [
        'a certificate block that does not parse',
        [{ name: 'cert' }],
        [
          tlsSecret('infra', 'cert', {
            certificate: `${CERTIFICATE_PEM}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`,
          }),
        ],
      ],
      [
        'a key that does not parse',
        [{ name: 'cert' }],
        [
          tlsSecret('infra', 'cert', {
            privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
          }),
        ],
      ],
      [
        "a key that is not the certificate's",
        [{ name: 'cert' }],
        [tlsSecret('infra', 'cert', { privateKey: OTHER_PRIVATE_KEY_PEM })],
      ],
      [
        'the certificate where the key belongs',
        [{ name: 'cert' }],
        [tlsSecret('infra', 'cert', { certificate: PRIVATE_KEY_PEM, privateKey: PRIVATE_KEY_PEM })],
      ],
      ['no Secrets read at all', [{ name: 'cert' }], undefined],
      [
        'one good and one bad ref',
        [{ name: 'cert' }, { name: 'missing' }],
        [tlsSecret('infra', 'cert')],
      ],
    ],
  )('refuses %s: InvalidCertificateRef', (_, refs, secrets) => {
    expect(reasonOf(resolve(refs, secrets))).toBe('InvalidCertificateRef');
  });

  describe('references to another namespace', () => {
    const ref = [{ name: 'cert', namespace: 'certs' }];
    const secrets = [tlsSecret('certs', 'cert')];

    it('need a ReferenceGrant: RefNotPermitted without one, even for a Secret that exists', () => {
      expect(reasonOf(resolve(ref, secrets))).toBe('RefNotPermitted');
    });

    it('resolve with a grant naming the Secret, or all Secrets', () => {
      expect(
        reasonOf(resolve(ref, secrets, [secretGrant('certs', 'infra', { name: 'cert' })])),
      ).toBe('ok');
      expect(reasonOf(resolve(ref, secrets, [secretGrant('certs', 'infra')]))).toBe('ok');
    });

    it.each<[string, ReferenceGrant]>([
      ['naming another Secret', secretGrant('certs', 'infra', { name: 'other' })],
      ['from HTTPRoutes, not Gateways', secretGrant('certs', 'infra', { fromKind: 'HTTPRoute' })],
      ['from another namespace', secretGrant('certs', 'elsewhere')],
      ['in the Gateway namespace, not the Secret one', secretGrant('infra', 'infra')],
      [
        'to Services',
        {
          ...secretGrant('certs', 'infra'),
          spec: { ...secretGrant('certs', 'infra').spec, to: [{ group: '', kind: 'Service' }] },
        },
      ],
    ])('are RefNotPermitted with a grant %s', (_, grant) => {
      expect(reasonOf(resolve(ref, secrets, [grant]))).toBe('RefNotPermitted');
    });

    it('are judged by the grant before the ref is: another kind without a grant is RefNotPermitted', () => {
      expect(
        reasonOf(resolve([{ kind: 'ConfigMap', name: 'cert', namespace: 'certs' }], secrets)),
      ).toBe('RefNotPermitted');
    });

    it("are resolved as the Gateway's own once granted: a missing Secret is InvalidCertificateRef", () => {
      expect(
        reasonOf(
          resolve([{ name: 'missing', namespace: 'certs' }], secrets, [
            secretGrant('certs', 'infra'),
          ]),
        ),
      ).toBe('InvalidCertificateRef');
    });
  });

  it("gives the first bad ref's reason and names every bad ref", () => {
    const result = resolve(
      [{ name: 'cert', namespace: 'certs' }, { name: 'missing' }],
      [tlsSecret('certs', 'cert')],
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe('RefNotPermitted');
    expect(result.message).toContain('certs/cert');
    expect(result.message).toContain('infra/missing');
  });
});
