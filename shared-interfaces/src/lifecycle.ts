/*
 * A chat request's lifecycle, the one definition of its states and of how the other
 * vocabularies follow from it: the request's own status (the gateway's record, GET
 * /v1/chat/:id), the status of the conversation message that holds its answer, the UI's
 * answer status, and the status each response event moves it to.
 *
 * This file imports nothing: the chat UI, whose image is built from ui/ with none of the
 * packages the services use, imports it by path as well.
 */

/** Where a request stands: recorded, durable in the queue, answered by a worker, then final. */
export const CHAT_REQUEST_STATUSES = ['accepted', 'queued', 'running', 'done', 'error', 'cancelled', 'rejected'] as const;
export type ChatRequestStatus = (typeof CHAT_REQUEST_STATUSES)[number];

/** Where a conversation's assistant message stands while its request answers it. */
export const MESSAGE_STATUSES = ['pending', 'running', 'done', 'error', 'cancelled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** An answer as the chat UI shows it (the `data-status` of its message). */
export const ANSWER_STATUSES = ['queued', 'streaming', 'done', 'cancelled', 'error'] as const;
export type AnswerStatus = (typeof ANSWER_STATUSES)[number];

/**
 * Each request status with what it means for the message holding the answer and for the
 * UI. A request refused before it was queued (`rejected`) is an answer that failed; one
 * recorded or waiting in the queue is a message still to be answered.
 */
const VIEWS = {
  accepted: { final: false, message: 'pending', answer: 'queued' },
  queued: { final: false, message: 'pending', answer: 'queued' },
  running: { final: false, message: 'running', answer: 'streaming' },
  done: { final: true, message: 'done', answer: 'done' },
  error: { final: true, message: 'error', answer: 'error' },
  cancelled: { final: true, message: 'cancelled', answer: 'cancelled' },
  rejected: { final: true, message: 'error', answer: 'error' },
} as const satisfies Record<ChatRequestStatus, { final: boolean; message: MessageStatus; answer: AnswerStatus }>;

/** The statuses after which no event of a request comes. */
export const FINAL_REQUEST_STATUSES: readonly ChatRequestStatus[] = CHAT_REQUEST_STATUSES.filter((s) => VIEWS[s].final);

export function isFinalStatus(status: ChatRequestStatus): boolean {
  return VIEWS[status].final;
}

/** The status of the message that holds a request's answer. */
export function messageStatusOf(status: ChatRequestStatus): MessageStatus {
  return VIEWS[status].message;
}

/** How the UI shows an answer whose request has this status. */
export function answerStatusOf(status: ChatRequestStatus): AnswerStatus {
  return VIEWS[status].answer;
}

/** How the UI shows an answer whose message has this status (what a stored conversation tells). */
export function answerStatusOfMessage(status: MessageStatus): AnswerStatus {
  return answerStatusOf(CHAT_REQUEST_STATUSES.find((s) => VIEWS[s].message === status)!);
}

/** Whether a message's answer is over (no event of its request comes any more). */
export function isFinalMessageStatus(status: MessageStatus): boolean {
  return CHAT_REQUEST_STATUSES.some((s) => VIEWS[s].message === status && VIEWS[s].final);
}

/** Whether an answer the UI shows is over. */
export function isFinalAnswerStatus(status: AnswerStatus): boolean {
  return CHAT_REQUEST_STATUSES.some((s) => VIEWS[s].answer === status && VIEWS[s].final);
}

/**
 * The status each response event moves its request to; null: the event leaves it as it
 * is. `queued` says nothing new: the request is marked queued when kafka-producer
 * acknowledges it, and its event (seq 0) can land after the worker's `started`. A
 * `retrying` request is still the worker's (it waits in a retry topic), and `resumed`
 * carries on an answer (after an admin's redrive, one that had failed).
 */
const STATUS_AFTER_EVENT = {
  queued: null,
  started: 'running',
  resumed: 'running',
  retrying: null,
  token: 'running',
  tool_call: 'running',
  done: 'done',
  error: 'error',
  cancelled: 'cancelled',
} as const satisfies Record<string, ChatRequestStatus | null>;

/** A response event's `type` (checked against the event schema in kafka/response-event.ts). */
export type LifecycleEventType = keyof typeof STATUS_AFTER_EVENT;

export function statusAfterEvent(type: LifecycleEventType): ChatRequestStatus | null {
  return STATUS_AFTER_EVENT[type];
}

/** Whether an event of this type is its request's last: nothing follows it. */
export function isFinalEventType(type: LifecycleEventType): boolean {
  const status = statusAfterEvent(type);
  return status !== null && isFinalStatus(status);
}
