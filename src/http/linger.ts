/**
 * Closing a connection while the client is still sending makes the kernel answer with a reset,
 * and a reset can destroy the answer in flight before the client has read it: a client sending
 * an oversized body would see "connection reset" instead of its 413. So when an answer is sent
 * before the request has fully arrived, the connection is half-closed after the answer and what
 * still comes is read and dropped — up to a bound of bytes and time — before it is closed.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** At most this much more is read after the answer... */
export const LINGER_MAX_BYTES = 1024 * 1024;
/** ...for at most this long. */
export const LINGER_MAX_MS = 2000;

/** Call before answering `req`; does nothing when the request has arrived whole. */
export function lingerIfIncomplete(req: IncomingMessage): void {
  const socket = req.socket as Socket & { destroySoon?: () => void };
  if (req.complete || socket.destroyed || typeof socket.destroySoon !== 'function') return;
  // Node's server closes a `Connection: close` response's socket with destroySoon() once the
  // answer is written; replace that, for this socket only, by a bounded half-close.
  socket.destroySoon = () => {
    const start = socket.bytesRead;
    socket.end();
    const check = setInterval(() => {
      if (socket.bytesRead - start > LINGER_MAX_BYTES) socket.destroy();
    }, 50);
    const deadline = setTimeout(() => socket.destroy(), LINGER_MAX_MS);
    check.unref();
    deadline.unref();
    socket.once('close', () => {
      clearInterval(check);
      clearTimeout(deadline);
    });
    // The client's end of the stream (after it has read the answer) closes the connection.
    socket.once('end', () => socket.destroy());
    socket.resume();
  };
}
