import { eventually } from '../support/eventually.ts';
import { type Answer, count, sharedLimitStack, storeMode } from '../support/rate-limit.ts';

// Gateways come and go under steady load (a drain, a rolling restart) while they share one limit
// through Redis that is far above the load: nothing may be refused. A restarted gateway is a new
// one to the others (a new id) and starts in the middle of the client's window, as a replacement
// pod does; the one it replaces leaves holding tokens of that window.
const LIMIT = 100_000_000;
/** Longer than the test: every restarted gateway joins mid-window, after the reserve time. */
const WINDOW_MS = 300_000;
/** Answers a restarted gateway gives before the next restart: its first syncs are among them. */
const ANSWERS_AFTER_JOIN = 300;

describe('a limit shared through Redis while gateways leave and join under load', () => {
  const { stack, clients } = sharedLimitStack({
    RATE_LIMIT_SYNC: 'background',
    RATE_LIMIT_LIMIT: String(LIMIT),
    RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
  });

  it('refuses nothing while two gateways in turn leave and rejoin in one window', async () => {
    for (const gateway of stack.gateways) expect(await storeMode(gateway)).toBe('shared');
    const client = clients.next();
    const load = client.steadyLoad(stack.gateways, '/projects/', 2, 100_000);
    let answers: Answer[];
    try {
      // Everyone has seen the client (the window is under way) before the first one leaves.
      await answered(load.answers, [0, 1, 2], 0, ANSWERS_AFTER_JOIN);
      for (const g of [2, 1]) {
        await stack.gateways[g].restart();
        await answered(load.answers, [g], Date.now(), ANSWERS_AFTER_JOIN);
      }
    } finally {
      answers = await load.stop();
    }
    const refused = answers.filter((a) => a.status === 429);
    const byGateway = [0, 1, 2].map((g) => refused.filter((a) => a.gateway === g).length);
    console.log(
      `[ratelimit] churn, 3 gateways + redis, limit ${LIMIT} per ${WINDOW_MS / 1000} s, 2 restarts: ` +
        `${count(answers, 200)} answered 200, ${refused.length} answered 429 (by gateway ${byGateway.join('/')}), ` +
        `${answers.filter((a) => a.status === 0).length} unanswered (gateway stopped) of ${answers.length}`,
    );
    expect(answers.filter((a) => a.status !== 0 && a.status !== 200 && a.status !== 429)).toEqual(
      [],
    );
    expect(refused.length).toBe(0);
  });
});

/** Waits until each of `gateways` gave `atLeast` answers to requests sent since `since`. */
async function answered(answers: Answer[], gateways: number[], since: number, atLeast: number) {
  await eventually(
    () =>
      gateways.every(
        (g) =>
          answers.filter((a) => a.gateway === g && a.at >= since && a.status !== 0).length >=
          atLeast,
      ),
    {
      timeoutMs: 60_000,
      intervalMs: 50,
      what: `${atLeast} answers from gateways ${gateways.join(', ')}`,
    },
  );
}
