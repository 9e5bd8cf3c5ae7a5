/**
 * The preferred HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`) and RFC 850's
 * (`Sunday, 06-Nov-94 08:49:37 GMT`). Checked before parsing because Date.parse reads almost
 * anything as a date (`5.5` is a day in May).
 */
const HTTP_DATE = /^[A-Za-z]{3,9}, [0-9A-Za-z -]+ \d{2}:\d{2}:\d{2} GMT$/;

/**
 * The seconds a `Retry-After` header asks a client to wait (RFC 9110 §10.2.3: delay-seconds or
 * an HTTP-date), rounded up; undefined when there is none, it cannot be read, or it asks for
 * no wait at all (0, a date already passed). The asctime form of an HTTP-date, which no
 * current server sends, is not read.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return seconds > 0 ? seconds : undefined;
  }
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  const seconds = Math.ceil((at - now) / 1000);
  return seconds > 0 ? seconds : undefined;
}
