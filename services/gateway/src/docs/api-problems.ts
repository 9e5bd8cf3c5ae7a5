import { applyDecorators } from '@nestjs/common';
import { ApiDefaultResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '@shoshizan/shared-interfaces';
import { schemaRef } from './api-schemas';

/** Documents that every error of these routes is RFC 9457 problem details. */
export const ApiProblems = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    ApiDefaultResponse({
      description: 'An error, as problem details with a stable `code` (and `Retry-After` when waiting helps).',
      content: { [PROBLEM_CONTENT_TYPE]: { schema: schemaRef('ProblemDetails') } },
    }),
  );
