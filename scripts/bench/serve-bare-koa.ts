/*
 * Scenario (a), the HTTP ceiling: Koa that reads the body (as every other server must) and
 * answers 200 with a small JSON body. No routing, auth, parsing or I/O.
 */
import Koa from 'koa';
import { announceReady, stopWithParent } from './child-side';

const app = new Koa();
app.use(async (ctx) => {
  // Drain the body so request bytes cost the same here as in the other scenarios.
  for await (const chunk of ctx.req) void chunk;
  ctx.status = 200;
  ctx.body = { status: 'ok' };
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announceReady(typeof address === 'object' && address ? address.port : undefined);
});
stopWithParent(() => new Promise<void>((resolve) => server.close(() => resolve())));
