import { z } from '@shoshizan/shared-interfaces';

/** A start-up configuration error; the message names every bad variable. */
export class ConfigValidationError extends Error {
  constructor(
    readonly service: string,
    readonly problems: readonly { variable: string; message: string }[],
  ) {
    super(
      `${service}: invalid configuration:\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

/**
 * Reads configuration from environment variables through a zod schema whose keys are the
 * variable names. Call once at start-up; a bad or missing variable throws a
 * ConfigValidationError naming it.
 */
export function loadConfig<S extends z.ZodObject>(
  service: string,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  // Empty strings count as unset, so `FOO=` falls back to the default rather than failing.
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigValidationError(
      service,
      result.error.issues.map((issue) => {
        const [first, ...within] = issue.path.map(String);
        const variable = first ?? '(environment)';
        // An unset variable that has a default is not missing: a check across variables failed.
        const hasDefault = schema.shape[variable] instanceof z.ZodDefault;
        if (input[variable] === undefined && !hasDefault) return { variable, message: 'is required' };
        // For list variables, say which entry is wrong.
        const message = within.length > 0 ? `entry ${Number(within[0]) + 1}: ${issue.message}` : issue.message;
        return { variable, message };
      }),
    );
  }
  return result.data;
}

/**
 * The check every service schema ends with (`.superRefine(metricsPortApart)`): /metrics is
 * served on METRICS_PORT apart from the API on PORT, both on HOST, so they cannot be one port.
 */
export function metricsPortApart(config: { PORT: number; METRICS_PORT: number }, ctx: z.RefinementCtx): void {
  if (config.PORT === config.METRICS_PORT) {
    ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: `must differ from PORT (both are ${config.PORT})` });
  }
}

/** Building blocks for the services' config schemas. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback),
  host: () => z.string().min(1).default('127.0.0.1'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Comma-separated `host:port` list. */
  brokers: () =>
    z
      .string()
      .transform((value) => value.split(',').map((b) => b.trim()).filter(Boolean))
      .pipe(
        z
          .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port'))
          .min(1, 'must name at least one broker'),
      ),
  /** Prefix for topic names and group ids; lets several installations share one broker. */
  topicPrefix: () =>
    z
      .string()
      .regex(/^[A-Za-z0-9._-]*$/, 'may hold only letters, digits, ".", "_" and "-"')
      .default(''),
  url: () => z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  postgresUrl: () =>
    z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// connection URL'),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().min(1).default(fallback),
  nonNegativeInt: (fallback: number) => z.coerce.number().int().min(0).default(fallback),
  /** Comma-separated list of strings. */
  list: () =>
    z.string().transform((value) => value.split(',').map((s) => s.trim()).filter(Boolean)),
};
