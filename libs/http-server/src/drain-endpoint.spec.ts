import Fastify from 'fastify';
import { DRAIN_PATH, registerDrainEndpoint } from './drain-endpoint';

function setup(drain: (holdMs: number) => Promise<void> | undefined) {
  const fastify = Fastify();
  registerDrainEndpoint(fastify, drain);
  return fastify;
}

describe('registerDrainEndpoint', () => {
  it('starts the drain with the asked hold and answers once it is over', async () => {
    const calls: number[] = [];
    let release: () => void = () => undefined;
    const fastify = setup((holdMs) => {
      calls.push(holdMs);
      return new Promise<void>((resolve) => (release = resolve));
    });
    let answered = false;
    const response = fastify
      .inject({ method: 'GET', url: `${DRAIN_PATH}?wait_ms=5000` })
      .then((r) => ((answered = true), r));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toEqual([5000]);
    expect(answered).toBe(false);
    release();
    const res = await response;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'draining', waited_ms: 5000 });
  });

  it('POST without wait_ms drains with no hold', async () => {
    const calls: number[] = [];
    const fastify = setup(async (holdMs) => void calls.push(holdMs));
    const res = await fastify.inject({ method: 'POST', url: DRAIN_PATH });
    expect(res.statusCode).toBe(200);
    expect(calls).toEqual([0]);
  });

  it.each(['-1', '1.5', 'abc', '600001', ''])(
    'wait_ms=%p is a 400 and starts nothing',
    async (v) => {
      const calls: number[] = [];
      const fastify = setup(async (holdMs) => void calls.push(holdMs));
      const res = await fastify.inject({ method: 'GET', url: `${DRAIN_PATH}?wait_ms=${v}` });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.json().message).toMatch(/wait_ms/);
      expect(calls).toEqual([]);
    },
  );

  it('answers 503 while the app is still starting', async () => {
    const fastify = setup(() => undefined);
    const res = await fastify.inject({ method: 'GET', url: DRAIN_PATH });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ statusCode: 503 });
  });
});
