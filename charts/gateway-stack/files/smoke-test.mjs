/* global setTimeout, URL -- run by node 24 in the helm test pod */
/* eslint-disable no-restricted-properties -- a standalone script configured by its own env */
// `helm test` smoke test: the public API through the gateway Service, bodies checked exactly as the
// original demo answers them. Retries for a while, since the test may run right after an install.
// Env (templates/tests/smoke-test.yaml sets it from the chart's values):
//   GATEWAY_URL             http://... or https://... (the gateway Service)
//   SMOKE_DEADLINE_MS       how long to keep retrying (default 60000)
//   SMOKE_CA_FILES          https: comma-separated PEM files to trust; missing ones are skipped. A
//                           server certificate listed here is trusted itself (partial chain), so
//                           the gateway's own tls.crt works without its CA.
//   SMOKE_TLS_SERVER_NAME   https: the name the certificate must carry (default: the URL's host)
//   SMOKE_TLS_INSECURE      https: `true` skips certificate verification (deliberately)
//   SMOKE_API_KEY_FILE      sends the file's first key as X-API-Key (the gateway's key file format)
//   SMOKE_BEARER_TOKEN_FILE sends the file's token as Authorization: Bearer (for jwt routes)
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const env = process.env;
const base = (env.GATEWAY_URL ?? '').replace(/\/+$/, '');
const deadline = Date.now() + Number(env.SMOKE_DEADLINE_MS ?? 60000);

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

/** The first key of a key file: one per line or comma-separated, blanks and `#` lines dropped. */
function firstKey(file) {
  return readFileSync(file, 'utf8')
    .split(/[\r\n,]+/)
    .map((line) => line.trim())
    .find((line) => line !== '' && !line.startsWith('#'));
}

function credentials() {
  const headers = {};
  if (env.SMOKE_API_KEY_FILE) {
    const key = firstKey(env.SMOKE_API_KEY_FILE);
    if (!key) throw new Error(`no API key in ${env.SMOKE_API_KEY_FILE}`);
    headers['x-api-key'] = key;
  }
  if (env.SMOKE_BEARER_TOKEN_FILE) {
    const token = readFileSync(env.SMOKE_BEARER_TOKEN_FILE, 'utf8').trim();
    if (!token) throw new Error(`no token in ${env.SMOKE_BEARER_TOKEN_FILE}`);
    headers.authorization = `Bearer ${token}`;
  }
  return headers;
}

function tlsOptions() {
  if (env.SMOKE_TLS_INSECURE === 'true') return { rejectUnauthorized: false };
  const files = (env.SMOKE_CA_FILES ?? '')
    .split(',')
    .map((file) => file.trim())
    .filter((file) => file !== '' && existsSync(file));
  return {
    ...(files.length > 0
      ? { ca: files.map((file) => readFileSync(file)), allowPartialTrustChain: true }
      : {}),
    ...(env.SMOKE_TLS_SERVER_NAME ? { servername: env.SMOKE_TLS_SERVER_NAME } : {}),
  };
}

function post(url, headers, body) {
  const https = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        timeout: 5000,
        ...(https ? tlsOptions() : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function attempt({ path, body, verify }, headers) {
  const { status, text } = await post(new URL(base + path), headers, body);
  if (status !== 200) return `HTTP ${status}: ${text.slice(0, 200)}`;
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
  return verify(json) ? null : `unexpected body: ${text.slice(0, 200)}`;
}

if (!/^https?:\/\/./.test(base)) {
  console.error('GATEWAY_URL is not set to an http:// or https:// URL');
  process.exit(2);
}
let headers;
try {
  headers = credentials();
} catch (err) {
  console.error(err.message);
  process.exit(2);
}
let failed = false;
for (const check of checks) {
  let problem;
  for (;;) {
    problem = await attempt(check, headers).catch((err) => `request failed: ${err.message}`);
    if (problem === null || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  console.log(
    `${problem === null ? 'ok  ' : 'FAIL'} POST ${check.path}${problem ? ` - ${problem}` : ''}`,
  );
  failed ||= problem !== null;
}
process.exit(failed ? 1 : 0);
