import { Injectable, PipeTransform } from '@nestjs/common';
import { ErrorCode, parseWith, type z } from '@shoshizan/shared-interfaces';
import { DomainException } from '../errors/domain.exception';

/** Validates a request body against a shared schema; errors name each bad field. */
@Injectable()
export class ZodBodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly what = 'Request body',
  ) {}

  transform(value: unknown): z.output<S> {
    const result = parseWith(this.schema, value);
    if (!result.ok) {
      throw new DomainException(ErrorCode.ValidationFailed, `${this.what} is invalid.`, { issues: result.issues });
    }
    return result.value;
  }
}
