/* global fetch, AbortSignal, setTimeout -- run by node 24 in the helm test pod */
/* eslint-disable no-restricted-properties -- a standalone script configured by its own env */
// `helm test` smoke test: the public API through the gateway Service, bodies checked exactly as the
// original demo answers them. Retries for a while, since the test may run right after an install.
// Env: GATEWAY_URL (e.g. http://release-gateway.ns.svc.cluster.local:8000), SMOKE_DEADLINE_MS.
const base = (process.env.GATEWAY_URL ?? '').replace(/\/+$/, '');
const deadline = Date.now() + Number(process.env.SMOKE_DEADLINE_MS ?? 60000);

const checks = [
  {
    path: '/projects/',
    body: { title: 'An awesome project' },
    verify: (json) => Number.isInteger(json.id) && json.url === 'Project-An awesome project',
  },
  {
    path: '/verify/',
    body: { id: 121, token: 'a$$' },
    verify: (json) => json.message === 'Verified: 121',
  },
];

async function attempt({ path, body, verify }) {
  const response = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  if (response.status !== 200) return `HTTP ${response.status}: ${text.slice(0, 200)}`;
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
  return verify(json) ? null : `unexpected body: ${text.slice(0, 200)}`;
}

if (!base) {
  console.error('GATEWAY_URL is not set');
  process.exit(2);
}
let failed = false;
for (const check of checks) {
  let problem;
  for (;;) {
    problem = await attempt(check).catch((err) => `request failed: ${err.message}`);
    if (problem === null || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  console.log(
    `${problem === null ? 'ok  ' : 'FAIL'} POST ${check.path}${problem ? ` - ${problem}` : ''}`,
  );
  failed ||= problem !== null;
}
process.exit(failed ? 1 : 0);
