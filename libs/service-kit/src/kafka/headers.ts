import type { IHeaders } from 'kafkajs';

/** A message header as text (the first value of a repeated one); null when absent. */
export function headerText(headers: IHeaders | undefined, name: string): string | null {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? null : first.toString();
}

/** A header holding a whole number; null when absent or not a number (a producer may write anything). */
export function headerInt(headers: IHeaders | undefined, name: string): number | null {
  const text = headerText(headers, name);
  const n = text === null ? NaN : Number.parseInt(text, 10);
  return Number.isFinite(n) ? n : null;
}
