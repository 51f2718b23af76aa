/**
 * Keeps the store's checkpoint of the revocation state (checkpoint.ts) close behind the log, so
 * a start reads the checkpoint and few rows after it rather than every row (#15). Checked at
 * start and then periodically: once the log has grown by `everyRows` past the stored checkpoint,
 * this process writes its state as of its feed's cursor. Taking the checkpoint holds the event
 * loop briefly (copying columns, ~0.1 s per million revocations here); storing it runs off the
 * event loop. Any process may write one; the store keeps the latest.
 */
import type { Logger } from 'pino';
import type { CheckpointStore } from '../store/index.js';
import { CHECKPOINT_FORMAT } from './checkpoint.js';
import type { RevocationState } from './state.js';

export function startCheckpoints(deps: {
  store: CheckpointStore;
  state: RevocationState;
  /** The feed's cursor: the state holds every event up to it. */
  cursor: () => number;
  /** The cursor of the checkpoint this process started from (0: none could be read). */
  startedFrom: number;
  /** The cursor of a stored checkpoint this process could not use at start (0: none). */
  passedOver: number;
  everyRows: number;
  intervalMs: number;
  logger: Pick<Logger, 'warn' | 'info'>;
}): () => Promise<void> {
  /** The latest checkpoint known to be readable: ours, or a later one another process wrote. */
  let base = deps.startedFrom;
  let writing: Promise<void> | undefined;
  const check = () => (writing ??= write().finally(() => (writing = undefined)));
  const write = async () => {
    try {
      // The stored checkpoint counts once another process has written one past what we started
      // from and past the one we could not use (damaged, another file or format), and never
      // past our own cursor (the log went backwards).
      const stored = await deps.store.cursor();
      if (stored > base && stored > deps.passedOver && stored <= deps.cursor()) base = stored;
      if (deps.cursor() - base < deps.everyRows) return;
      // Both in the same turn of the event loop: the state is exactly as of the cursor.
      const cursor = deps.cursor();
      const body = deps.state.checkpoint();
      const bytes = body.byteLength;
      await deps.store.write({ cursor, format: CHECKPOINT_FORMAT, body });
      base = cursor;
      deps.logger.info({ cursor, bytes, revocations: deps.state.revokedTokenCount + deps.state.endedSessionCount }, 'revocation checkpoint written');
    } catch (error) {
      deps.logger.warn({ err: error }, 'could not write the revocation checkpoint; the next start reads more of the log');
    }
  };
  if (deps.everyRows === 0) return async () => {};
  void check();
  const timer = setInterval(() => void check(), deps.intervalMs);
  timer.unref();
  /** Stops checking; resolves once a write under way has finished. */
  return async () => {
    clearInterval(timer);
    await writing;
  };
}
