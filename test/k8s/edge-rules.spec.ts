// The chart refuses at install time what the gateway would refuse at start-up (gs.edgeCheck in
// templates/_edge.tpl re-implements the gateway's cross-variable edge rules, and values.schema.json
// the formats of the edge values). Each case goes to both: the real chart (helm template accepts
// or refuses) and the gateway (its env schema, gatewayEnv.safeParse, on the env the chart renders
// for those values, and its route file parser and auth rule on the route file it renders - both
// taken from a copy of the chart without its checks). Both must give the same verdict.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAuthConfig, gatewayEnv } from './support/app-env.ts';
import { helmTemplate, helmTemplateRaw, type RenderOptions } from './support/helm.ts';
import { appDeployments, containerEnv } from './support/invariants.ts';
import { renderedRouteTable } from './support/route-table.ts';
import { CHART } from './support/tools.ts';

interface Case {
  name: string;
  options: Pick<RenderOptions, 'set' | 'setJson'>;
  accepted: boolean;
}

const JWKS = [
  'edge.auth.jwt.jwksUrl=https://id.example/jwks',
  'edge.auth.jwt.issuer=https://id.example',
  'edge.auth.jwt.audience=gateway',
];
const KEYS_FROM_SECRET =
  'components.gateway.extraEnv=[{"name":"AUTH_API_KEYS","valueFrom":{"secretKeyRef":{"name":"gw-keys","key":"keys"}}}]';

const CASES: Case[] = [
  { name: 'defaults', options: {}, accepted: true },
  {
    name: 'api-key with the key Secret',
    options: { set: ['edge.auth.default=api-key', 'edge.auth.apiKeys.existingSecret=gw-keys'] },
    accepted: true,
  },
  {
    name: 'api-key with AUTH_API_KEYS from a Secret through extraEnv',
    options: { set: ['edge.auth.default=api-key'], setJson: [KEYS_FROM_SECRET] },
    accepted: true,
  },
  {
    name: 'api-key without keys',
    options: { set: ['edge.auth.default=api-key'] },
    accepted: false,
  },
  {
    name: 'an api-key route without keys',
    options: { setJson: ['edge.auth.routes={"/projects":"api-key"}'] },
    accepted: false,
  },
  {
    name: 'api-key through env without keys',
    options: { set: ['components.gateway.env.AUTH_DEFAULT=api-key'] },
    accepted: false,
  },
  {
    name: 'api-key in values, switched off through env',
    options: { set: ['edge.auth.default=api-key', 'components.gateway.env.AUTH_DEFAULT=none'] },
    accepted: true,
  },
  {
    name: 'jwt with a JWKS URL',
    options: { set: ['edge.auth.default=jwt', ...JWKS] },
    accepted: true,
  },
  {
    name: 'a jwt route with scopes and a static key',
    options: {
      set: [
        'edge.auth.jwt.publicKeySecret=jwt-pub',
        'edge.auth.jwt.issuer=i',
        'edge.auth.jwt.audience=a',
      ],
      setJson: ['edge.auth.routes={"/verify":"jwt:users.verify+users.read","/projects":"none"}'],
    },
    accepted: true,
  },
  {
    name: 'jwt without a key source',
    options: {
      set: ['edge.auth.default=jwt', 'edge.auth.jwt.issuer=i', 'edge.auth.jwt.audience=a'],
    },
    accepted: false,
  },
  {
    name: 'jwt with both key sources',
    options: { set: ['edge.auth.default=jwt', ...JWKS, 'edge.auth.jwt.publicKeySecret=jwt-pub'] },
    accepted: false,
  },
  {
    name: 'jwt without an issuer',
    options: { set: ['edge.auth.default=jwt', ...JWKS.filter((s) => !s.includes('issuer'))] },
    accepted: false,
  },
  {
    name: 'a jwt route without an audience',
    options: {
      set: JWKS.filter((s) => !s.includes('audience')),
      setJson: ['edge.auth.routes={"/verify":"jwt"}'],
    },
    accepted: false,
  },
  {
    name: 'jwt with the JWKS URL through env',
    options: {
      set: [
        'edge.auth.default=jwt',
        'edge.auth.jwt.issuer=i',
        'edge.auth.jwt.audience=a',
        'components.gateway.env.AUTH_JWT_JWKS_URL=https://id.example/jwks',
      ],
    },
    accepted: true,
  },
  {
    name: 'TLS from a Secret',
    options: { set: ['edge.tls.existingSecret=gw-tls'] },
    accepted: true,
  },
  {
    name: 'a certificate without its key through env',
    options: { set: ['components.gateway.env.TLS_CERT_FILE=/certs/tls.crt'] },
    accepted: false,
  },
  {
    name: 'TLS and api-key together',
    options: {
      set: [
        'edge.tls.existingSecret=gw-tls',
        'edge.auth.default=api-key',
        'edge.auth.apiKeys.existingSecret=gw-keys',
      ],
    },
    accepted: true,
  },
  // Formats of the edge values: values.schema.json on the chart's side.
  { name: 'an unknown scheme', options: { set: ['edge.auth.default=basic'] }, accepted: false },
  {
    name: 'a route with a blank in its scopes',
    options: { setJson: ['edge.auth.routes={"/verify":"jwt:a, b"}'] },
    accepted: false,
  },
  {
    name: 'a JWKS URL that is not http(s)',
    options: {
      set: [
        'edge.auth.default=jwt',
        'edge.auth.jwt.jwksUrl=ftp://id.example/jwks',
        'edge.auth.jwt.issuer=i',
        'edge.auth.jwt.audience=a',
      ],
    },
    accepted: false,
  },
];

let unchecked: string;

beforeAll(() => {
  // The chart without its own edge rules: what it would render for values it refuses.
  unchecked = mkdtempSync(join(tmpdir(), 'chart-unchecked-'));
  cpSync(CHART, unchecked, { recursive: true });
  rmSync(join(unchecked, 'values.schema.json'));
  const edgeTpl = join(unchecked, 'templates/_edge.tpl');
  const source = readFileSync(edgeTpl, 'utf8');
  const define = '{{- define "gs.edgeCheck" -}}';
  if (!source.includes(define)) throw new Error(`templates/_edge.tpl lost ${define}`);
  writeFileSync(
    edgeTpl,
    `${source.replace(define, '{{- define "gs.edgeCheck.off" -}}')}\n${define}{{- end -}}\n`,
  );
});

afterAll(() => rmSync(unchecked, { recursive: true, force: true }));

/**
 * The gateway's verdict on what the chart renders: its env, read as its loadConfig reads it, and
 * the route file, read by its parser, whose routes' schemes (AUTH_DEFAULT where a route names
 * none) must each have what they need - the gateway's own rule (checkAuthConfig), applied to the
 * table it serves instead of to AUTH_ROUTES.
 */
function gatewayAccepts(options: Case['options']): { accepted: boolean; why: string } {
  const objects = helmTemplate({ ...options, chart: unchecked });
  const env = containerEnv(objects, appDeployments(objects).get('gateway')!);
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = gatewayEnv.safeParse(cleaned);
  if (!result.success)
    return { accepted: false, why: result.error.issues.map((issue) => issue.message).join('; ') };
  let table;
  try {
    table = renderedRouteTable(objects);
  } catch (err) {
    return { accepted: false, why: (err as Error).message };
  }
  const issues: string[] = [];
  checkAuthConfig(
    {
      ...result.data,
      AUTH_ROUTES: table.routes.map((route) => ({ route: route.name, ...route.auth })),
    },
    { addIssue: (issue: { message: string }) => issues.push(issue.message) },
  );
  return { accepted: issues.length === 0, why: issues.join('; ') };
}

test.each(CASES.map((c) => [c.name, c] as const))(
  '%s: the chart and the gateway agree',
  (_name, { options, accepted }) => {
    const chart = helmTemplateRaw(options);
    const gateway = gatewayAccepts(options);
    expect({ chart: chart.status === 0, gateway: gateway.accepted }).toEqual({
      chart: accepted,
      gateway: accepted,
    });
    // A refusal names what to change: the value, or the variable set through env.
    if (!accepted) expect(chart.stderr).toMatch(/edge|TLS_/);
  },
);

test('the unchecked copy really lacks the checks (else the comparison would prove nothing)', () => {
  expect(helmTemplateRaw({ set: ['edge.auth.default=api-key'] }).status).not.toBe(0);
  expect(helmTemplateRaw({ set: ['edge.auth.default=api-key'], chart: unchecked }).status).toBe(0);
});
