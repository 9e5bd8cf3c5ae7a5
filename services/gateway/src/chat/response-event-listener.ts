import type { ResponseEvent } from '@shoshizan/shared-interfaces';

/**
 * Something that keeps a record of requests and reacts to their response events as the
 * ResponseHub reads them. Every reaction is in the one list chat.module.ts provides under
 * RESPONSE_EVENT_LISTENERS, in the order the hub calls them.
 */
export interface ResponseEventListener {
  /**
   * Called for every event but `token`, after the event is stored and before any live
   * stream sees it: once a client has a final event, what the listener keeps agrees with
   * it. Must be idempotent: after a restart the hub reads events again.
   */
  applyEvent(event: ResponseEvent): Promise<void>;
}

/** The ResponseHub's listeners, in the order they are called (a list of ResponseEventListener). */
export const RESPONSE_EVENT_LISTENERS = Symbol('RESPONSE_EVENT_LISTENERS');
