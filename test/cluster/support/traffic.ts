// The seed's two requests and a steady load of them, as a client outside the cluster sends them:
// to the gateway's NodePort on 127.0.0.1 only.
import { postJson } from '../../support/http.ts';
import { load, type Outcome } from '../../support/load.ts';
import { client } from './client.ts';

export const ROUTES = {
  projects: { path: '/projects/', body: { title: 'An awesome project' } },
  verify: { path: '/verify/', body: { id: 121, token: 'a$$' } },
} as const;
export type Route = keyof typeof ROUTES;

/** The seed's requests, once each; the caller asserts the exact answers. */
export async function seedRequests(baseUrl: string) {
  const projects = await postJson(
    `${baseUrl}${ROUTES.projects.path}`,
    ROUTES.projects.body,
    {},
    client,
  );
  const verify = await postJson(`${baseUrl}${ROUTES.verify.path}`, ROUTES.verify.body, {}, client);
  return { projects, verify };
}

export function expectSeedAnswers(answers: Awaited<ReturnType<typeof seedRequests>>): void {
  expect({ status: answers.projects.status, body: answers.projects.body }).toEqual({
    status: 200,
    body: { id: expect.any(Number), url: 'Project-An awesome project' },
  });
  expect({ status: answers.verify.status, body: answers.verify.body }).toEqual({
    status: 200,
    body: { message: 'Verified: 121' },
  });
}

export interface LoadReport {
  total: number;
  failed: Outcome[];
  byRoute: Record<Route, number>;
}

/**
 * Steady closed-loop load on both routes until stop() (or 10 minutes, whichever first): every
 * answer but a 200 counts as failed, network errors included.
 */
export function startLoad(
  baseUrl: string,
  concurrencyPerRoute = 3,
): { stop: () => Promise<LoadReport> } {
  let stopped = false;
  const runs = (Object.keys(ROUTES) as Route[]).map((route) =>
    load({
      url: `${baseUrl}${ROUTES[route].path}`,
      body: ROUTES[route].body,
      concurrency: concurrencyPerRoute,
      durationMs: 600_000,
      stop: () => stopped,
      dispatcher: client,
    }).then((outcomes) => [route, outcomes] as const),
  );
  return {
    stop: async () => {
      stopped = true;
      const done = await Promise.all(runs);
      const all = done.flatMap(([, outcomes]) => outcomes);
      return {
        total: all.length,
        failed: all.filter((o) => o.status !== 200),
        byRoute: Object.fromEntries(
          done.map(([route, outcomes]) => [route, outcomes.length]),
        ) as Record<Route, number>,
      };
    },
  };
}

/** A compact view of failed requests for an assertion message. */
export function describeFailures(report: LoadReport): string[] {
  return report.failed.slice(0, 10).map((o) => `${o.status} ${o.text.slice(0, 160)}`);
}
