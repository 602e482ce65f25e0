import type { FastifyInstance } from 'fastify';
import { errorBody } from './error-body';

/** Where the drain endpoint is served (admin listener only, never a public port). */
export const DRAIN_PATH = '/_status/drain';

/** The longest hold a caller may ask for: more than any sane termination grace period. */
export const MAX_DRAIN_HOLD_MS = 600_000;

/**
 * `GET|POST /_status/drain?wait_ms=N`: starts draining (readiness 503, `Connection: close` on every
 * answer) and answers 200 after N ms (default 0). The chart's preStop hook calls it, and the
 * kubelet sends SIGTERM only once it is answered, so the hook's wait is the pause before SIGTERM
 * and the process drains through all of it (docs/operations.md, "Graceful shutdown").
 * `drain` returns undefined while the process is still starting (answered 503: nothing to drain).
 */
export function registerDrainEndpoint(
  fastify: FastifyInstance,
  drain: (holdMs: number) => Promise<void> | undefined,
): void {
  fastify.route({
    method: ['GET', 'POST'],
    url: DRAIN_PATH,
    handler: async (request, reply) => {
      const raw = (request.query as Record<string, unknown>).wait_ms;
      const holdMs = raw === undefined ? 0 : Number(raw);
      if (
        typeof raw !== 'undefined' &&
        (typeof raw !== 'string' || !/^\d+$/.test(raw) || holdMs > MAX_DRAIN_HOLD_MS)
      ) {
        return reply.code(400).send(
          errorBody(400, `wait_ms must be an integer from 0 to ${MAX_DRAIN_HOLD_MS}`, {
            wait_ms: raw,
          }),
        );
      }
      const holding = drain(holdMs);
      if (!holding) return reply.code(503).send(errorBody(503, 'still starting: nothing to drain'));
      await holding;
      return reply.code(200).send({ status: 'draining', waited_ms: holdMs });
    },
  });
}
