import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiParam, ApiQuery } from '@nestjs/swagger';
import { z } from '@shoshizan/shared-interfaces';
import { ApiOpenAiErrors, ApiProblems, type ErrorDescriptions } from './api-problems';
import { jsonSchemaOf } from './api-schemas';

/**
 * Documents a route's JSON body from the zod schema its ZodBodyPipe parses, and the
 * answers any body brings (400 for a bad one, 413 too large, 415 not JSON). The body is
 * required exactly when the schema refuses an absent one (`schema.optional()` takes none).
 */
export function ApiJsonBody(schema: z.ZodType, errors: 'problem' | 'openai' = 'problem') {
  const required = !schema.safeParse(undefined).success;
  const shape = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  const statuses = [400, 413, 415] as const;
  return applyDecorators(
    ApiBody({ required, schema: jsonSchemaOf(shape, 'input') }),
    errors === 'openai' ? ApiOpenAiErrors(statuses) : ApiProblems(statuses),
  );
}

/** A path parameter that is a UUID (ParseUUIDPipe refuses anything else with 400), and the 404 when none is yours. */
export function ApiIdParam(name: string, description: string, notFound: string) {
  const descriptions: ErrorDescriptions = { 400: `\`${name}\` is not a UUID.`, 404: notFound };
  return applyDecorators(
    ApiParam({ name, description, schema: { type: 'string', format: 'uuid' } }),
    ApiProblems([400, 404], descriptions),
  );
}

/** The query parameters of a route, from the zod object schema it parses its query with; 400 for a bad one. */
export function ApiQueryOf(schema: z.ZodObject, errors: 'problem' | 'openai' = 'problem') {
  const json = jsonSchemaOf(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, { description, ...property }]) =>
      ApiQuery({
        name,
        required: json.required?.includes(name) ?? false,
        schema: property,
        ...(typeof description === 'string' ? { description } : {}),
      }),
    ),
    errors === 'openai' ? ApiOpenAiErrors([400]) : ApiProblems([400]),
  );
}
