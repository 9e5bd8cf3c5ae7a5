import { ErrorCode } from '@shoshizan/shared-interfaces';
import { DomainException } from '../errors/domain.exception';

/**
 * PostgreSQL error classes that say the server or the connection is the problem, not the
 * statement: connection exceptions (08), insufficient resources (53), operator intervention
 * such as a shutdown (57), system errors (58). Anything else (data exceptions 22, integrity
 * violations 23, ...) fails the same way each time for the same record.
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '53', '57', '58']);
/** Serialization failure and deadlock: the same statement may well pass on the next try. */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** What node-postgres says, without a code, when it cannot get or keep a connection. */
const TRANSIENT_PG_MESSAGES = [/timeout exceeded when trying to connect/i, /connection terminated/i, /Connection terminated unexpectedly/i];

/**
 * Whether an error says "the world is down for now" (PostgreSQL or Kafka unreachable)
 * rather than "this record cannot be processed". A consumer waits out the first (the
 * record is tried again, however long it takes) and sets a record aside only for the
 * second: an outage must never send good records to quarantine.
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof DomainException) return error.code === ErrorCode.QueueUnavailable;
  if (typeof error !== 'object' || error === null) return false;
  const { code, retriable, name, message } = error as { code?: unknown; retriable?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(code)) return TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2));
    if (TRANSIENT_NODE_CODES.has(code)) return true;
  }
  // kafkajs marks each of its errors retriable or not.
  if (typeof name === 'string' && name.startsWith('KafkaJS') && retriable === true) return true;
  return typeof message === 'string' && TRANSIENT_PG_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * What a consumer does after processing a record failed on try number `tries` (from 1):
 * hand a transient failure back to the consumer loop (which tries again after a backoff,
 * without limit), try a record-specific failure again up to `maxTries`, then set the
 * record aside so the partition moves on.
 */
export function afterRecordFailure(error: unknown, tries: number, maxTries: number): 'rethrow' | 'retry' | 'set_aside' {
  if (isTransientError(error)) return 'rethrow';
  return tries < maxTries ? 'retry' : 'set_aside';
}
