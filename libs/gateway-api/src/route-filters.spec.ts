import { translateFilters } from './route-filters';

describe('translateFilters', () => {
  it('has no filters for none', () => {
    expect(translateFilters(undefined)).toEqual({
      ok: true,
      filters: { requestHeaders: null, responseHeaders: null, redirect: null, rewrite: null },
    });
  });

  it('applies the CRD default redirect status (302) and keeps what the redirect sets', () => {
    const t = translateFilters([
      {
        type: 'RequestRedirect',
        requestRedirect: {
          hostname: 'New.Example.com',
          port: 8443,
          path: { type: 'ReplaceFullPath', replaceFullPath: '/moved' },
        },
      },
    ]);
    expect(t).toMatchObject({
      ok: true,
      filters: {
        redirect: {
          scheme: null,
          hostname: 'new.example.com',
          port: 8443,
          path: { kind: 'full', path: '/moved' },
          statusCode: 302,
        },
      },
    });
  });

  it('translates a URL rewrite of host and prefix, and header modifiers with lower-case names', () => {
    const t = translateFilters([
      {
        type: 'URLRewrite',
        urlRewrite: {
          hostname: 'internal',
          path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' },
        },
      },
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: {
          set: [{ name: 'Cache-Control', value: 'no-store' }],
          remove: ['Server'],
        },
      },
    ]);
    expect(t).toEqual({
      ok: true,
      filters: {
        requestHeaders: null,
        responseHeaders: {
          set: [{ name: 'cache-control', value: 'no-store' }],
          add: [],
          remove: ['server'],
        },
        redirect: null,
        rewrite: { hostname: 'internal', path: { kind: 'prefix', prefix: '/v2' } },
      },
    });
  });

  it.each(['RequestMirror', 'CORS', 'ExternalAuth', 'ExtensionRef'] as const)(
    'refuses %s with UnsupportedValue',
    (type) => {
      expect(translateFilters([{ type }])).toMatchObject({ ok: false, reason: 'UnsupportedValue' });
    },
  );
});
