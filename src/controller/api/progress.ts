// A member that is slow but working says so. For a client that asks (PROGRESS_HEADER), it sends
// an interim `102 Processing` every PROGRESS_INTERVAL_MS until its answer goes out, so that the
// client's time-out of silence holds only for a member that stopped answering, however long the
// work takes (a large batch, a member short of CPU while the lab's switches boot). Other clients
// see nothing of it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PROGRESS_HEADER, PROGRESS_INTERVAL_MS } from '../../model/index.ts';

export function registerProgress(app: FastifyInstance, intervalMs = PROGRESS_INTERVAL_MS): void {
  const stops = new WeakMap<FastifyRequest, () => void>();
  app.addHook('onRequest', async (request, reply) => {
    const raw = reply.raw;
    if (request.headers[PROGRESS_HEADER] === undefined) return;
    const timer = setInterval(() => {
      if (!raw.headersSent && !raw.writableEnded && !raw.destroyed) raw.writeProcessing();
    }, intervalMs);
    const stop = () => clearInterval(timer);
    raw.once('close', stop);
    stops.set(request, stop);
  });
  // Stopped before the answer's own head is written.
  app.addHook('onSend', async (request, _reply, payload) => {
    stops.get(request)?.();
    return payload;
  });
}
