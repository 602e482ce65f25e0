import {
  type ArgumentMetadata,
  BadRequestException,
  Injectable,
  ValidationPipe,
} from '@nestjs/common';
import type { ValidationError } from 'class-validator';

/**
 * Validates request bodies against their DTO: the body must be a JSON object, unknown fields are
 * dropped, and the first problem becomes a 400 that names the field: `{"message": "...", "field": "id"}`.
 */
@Injectable()
export class BodyValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidUnknownValues: true,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => {
        const first = firstError(errors);
        const message = first ? Object.values(first.constraints ?? {})[0] : 'invalid request body';
        return new BadRequestException({ message, field: first?.property });
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (
      metadata.type === 'body' &&
      (typeof value !== 'object' || value === null || Array.isArray(value))
    ) {
      throw new BadRequestException({
        message: 'request body must be a JSON object (Content-Type: application/json)',
      });
    }
    return super.transform(value, metadata);
  }
}

function firstError(errors: ValidationError[]): ValidationError | undefined {
  for (const error of errors) {
    if (error.constraints && Object.keys(error.constraints).length > 0) return error;
    const nested = firstError(error.children ?? []);
    if (nested) return nested;
  }
  return undefined;
}
