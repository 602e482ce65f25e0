// The Kubernetes Gateway API's own conformance suite (sigs.k8s.io/gateway-api/conformance, profiles
// GATEWAY-HTTP and GATEWAY-GRPC; local-cluster/lib/conformance.sh) against the chart installed with
// gatewayApi and its HTTPS listeners on, as a user would install it. The suite runs the tests of
// the features the gateway writes in its GatewayClass's status (which must be the ones this spec
// expects), but those listed in KNOWN_FAILURES, each with why it fails today
// (docs/adr/0011-gateway-api.md, "Conformance"); the spec fails when a test that runs fails, when
// the suite skips a test not listed here (a feature claimed that the suite does not see), and
// when the report is missing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { supportedFeatures } from '../../libs/gateway-api/src/supported-features.ts';
import { eventually } from '../support/eventually.ts';
import {
  CLUSTER_DIR,
  clusterScript,
  clusterScriptStatus,
  kubectl,
  kubectlJson,
} from './support/cluster.ts';
import { install, uninstall, type Release } from './support/release.ts';

const release: Release = { name: 'conformance', namespace: 'gs-conformance' };
const PROFILES = ['GATEWAY-HTTP', 'GATEWAY-GRPC'] as const;
type Profile = (typeof PROFILES)[number];
const REPORT = join(CLUSTER_DIR, 'conformance/report.yaml');

/**
 * The chart as the suite needs it, on its defaults for Gateway API mode: each Gateway gets a
 * Service of its own (gatewayApi.gatewayServices), its status address, with the ports its
 * listeners name; the GatewayClass the chart creates is the one the suite is pointed at. Two gateway pods, so a table every pod serves is what passes; one
 * of each backend (the suite brings its own).
 */
const VALUES = {
  componentDefaults: { replicas: 1, resources: { requests: { cpu: '10m', memory: '64Mi' } } },
  components: {
    gateway: {
      replicas: 2,
      service: { port: 80 },
      env: { RATE_LIMIT_LIMIT: '100000000' },
    },
  },
  redis: { mode: 'none' },
  gatewayApi: { enabled: true, gatewayClassName: 'gateway-stack', https: { enabled: true } },
};

/**
 * What the gateway claims with this spec's values (gRPC, per-Gateway Services): its GatewayClass's
 * status must say exactly this, and the suite runs the tests of these features.
 */
const CLAIMED = supportedFeatures({ grpc: true, gatewayAddresses: true });
/** The core features of the two profiles. */
const CORE_FEATURES = ['Gateway', 'HTTPRoute', 'ReferenceGrant', 'GRPCRoute'];
/**
 * Claimed, and their tests run and must pass (the harness's exit), but no profile's report counts
 * them: GATEWAY-GRPC's report at v1.6.3 counts no extended feature.
 */
const UNREPORTED_FEATURES = ['GRPCRouteNamedRouteRule'];
/** The extended features claimed, by the profile that reports them. */
const EXTENDED_FEATURES: Record<Profile, readonly string[]> = {
  'GATEWAY-HTTP': CLAIMED.filter(
    (feature) => !CORE_FEATURES.includes(feature) && !UNREPORTED_FEATURES.includes(feature),
  ),
  'GATEWAY-GRPC': [],
};

/**
 * Tests not run, and why each fails today (docs/adr/0011-gateway-api.md, "Conformance"), by profile,
 * core and extended apart. The spec fails when the suite skips any other test, so these lists are
 * the whole of what is not proven of the features claimed.
 */
const KNOWN_FAILURES = {
  'GATEWAY-HTTP': {
    core: {},
    extended: {},
  },
  'GATEWAY-GRPC': { core: {}, extended: {} },
} satisfies Record<Profile, Record<'core' | 'extended', Record<string, string>>>;

interface ProfileReport {
  name: string;
  core?: {
    result?: string;
    statistics?: { Passed?: number; Failed?: number; Skipped?: number };
    failedTests?: string[];
    skippedTests?: string[];
  };
  extended?: {
    result?: string;
    statistics?: { Passed?: number; Failed?: number; Skipped?: number };
    failedTests?: string[];
    skippedTests?: string[];
    supportedFeatures?: string[];
  };
}

beforeAll(async () => {
  await clusterScript('gateway-api-crds');
  install(release, VALUES, { timeoutS: 300 });
}, 600_000);

afterAll(() => {
  // What the suite's own clean-up may leave, so the next spec has the nodes to itself.
  const namespaces = kubectl(['get', 'namespaces', '-o', 'name'])
    .split('\n')
    .filter((name) => name.startsWith('namespace/gateway-conformance-'));
  if (namespaces.length > 0)
    kubectl(['delete', ...namespaces, '--wait', '--timeout', '180s'], { timeoutMs: 200_000 });
  uninstall(release);
}, 300_000);

test(`every core test of ${PROFILES.join(' and ')} passes but the known failures`, async () => {
  // The suite runs the tests of the features the GatewayClass's status names, which the gateway
  // writes (libs/gateway-api/src/supported-features.ts): what it claims is what is judged.
  await eventually(
    () =>
      expect(
        (
          kubectlJson<{ status?: { supportedFeatures?: { name: string }[] } }>([
            'get',
            'gatewayclass',
            'gateway-stack',
          ]).status?.supportedFeatures ?? []
        ).map((feature) => feature.name),
      ).toEqual(CLAIMED),
    { timeoutMs: 60_000, intervalMs: 1000, what: "the GatewayClass's supportedFeatures written" },
  );
  const exit = await clusterScriptStatus('conformance', [], {
    CONFORMANCE_PROFILES: PROFILES.join(','),
    CONFORMANCE_FEATURES: '',
    CONFORMANCE_GATEWAY_CLASS: 'gateway-stack',
    CONFORMANCE_SKIP_TESTS: PROFILES.flatMap((profile) => [
      ...Object.keys(KNOWN_FAILURES[profile].core),
      ...Object.keys(KNOWN_FAILURES[profile].extended),
    ]).join(','),
    CONFORMANCE_TIMEOUT: '30m',
  });
  const report = parse(readFileSync(REPORT, 'utf8')) as { profiles?: ProfileReport[] };
  for (const name of PROFILES) {
    const profile = report.profiles?.find((p) => p.name === name);
    const core = profile?.core;
    const extended = profile?.extended;
    console.log(
      `Gateway API conformance ${name}: core ${core?.result} ${JSON.stringify(core?.statistics)}, ` +
        `extended ${extended?.result} ${JSON.stringify(extended?.statistics)}; harness exit ${exit}`,
    );
    const known = KNOWN_FAILURES[name];
    expect({ name, failed: core?.failedTests ?? [] }).toEqual({ name, failed: [] });
    expect({ name, skipped: [...(core?.skippedTests ?? [])].sort() }).toEqual({
      name,
      skipped: Object.keys(known.core).sort(),
    });
    expect(core?.statistics?.Passed ?? 0).toBeGreaterThan(0);
    expect({ name, failed: extended?.failedTests ?? [] }).toEqual({ name, failed: [] });
    expect({ name, skipped: [...(extended?.skippedTests ?? [])].sort() }).toEqual({
      name,
      skipped: Object.keys(known.extended).sort(),
    });
    // Every feature claimed is one the suite knows and ran.
    expect({ name, features: [...(extended?.supportedFeatures ?? [])].sort() }).toEqual({
      name,
      features: [...EXTENDED_FEATURES[name]].sort(),
    });
  }
  // No test that ran failed, in any profile (GATEWAY-GRPC's report leaves its extended tests out).
  expect(exit).toBe(0);
}, 2_400_000);
