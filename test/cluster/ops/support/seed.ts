// The seed's two requests with their exact answers, and what a namespace still holds after a
// release is gone.
import { kubectl } from './cluster.ts';
import { until } from './cluster.ts';

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: compared as text
  }
  return { status: response.status, json };
}

export async function postProject(base: string) {
  return post(`${base}/projects/`, { title: 'An awesome project' });
}

/** POST /projects/ and /verify/ answer exactly as the seed says (after the first success). */
export async function postSeed(base: string, timeoutMs = 60_000): Promise<void> {
  await until(
    `${base}/projects/ answers 200`,
    async () => (await postProject(base)).status === 200,
    timeoutMs,
  );
  expect(await postProject(base)).toEqual({
    status: 200,
    json: { id: expect.any(Number), url: 'Project-An awesome project' },
  });
  await until(
    `${base}/verify/ answers 200`,
    async () => (await post(`${base}/verify/`, { id: 121, token: 'a$$' })).status === 200,
    timeoutMs,
  );
  expect(await post(`${base}/verify/`, { id: 121, token: 'a$$' })).toEqual({
    status: 200,
    json: { message: 'Verified: 121' },
  });
}

/** Objects in a namespace other than what Kubernetes puts in every one. */
export function leftovers(namespace: string): string[] {
  const kinds =
    'pods,services,deployments,replicasets,statefulsets,configmaps,secrets,serviceaccounts,poddisruptionbudgets,networkpolicies,horizontalpodautoscalers,jobs';
  return kubectl(['get', kinds, '-n', namespace, '-o', 'name'])
    .split('\n')
    .filter(
      (name) => name && name !== 'configmap/kube-root-ca.crt' && name !== 'serviceaccount/default',
    );
}
