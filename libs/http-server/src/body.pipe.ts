import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

const NOT_AN_OBJECT = 'request body must be a JSON object (Content-Type: application/json)';

/**
 * Validates a request body against a zod schema (the same library as the env schema): the body
 * must be a JSON object, unknown fields are dropped, and the first problem becomes a 400 that
 * names the field: `{"message": "id must be an integer", "field": "id"}`.
 * Use: `@Body(new BodyPipe(createProjectBody)) body: CreateProjectBody`.
 */
export class BodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new BadRequestException({ message: NOT_AN_OBJECT });
    }
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const field = issue.path.length > 0 ? issue.path.join('.') : undefined;
    throw new BadRequestException({ message: issue.message, field });
  }
}
