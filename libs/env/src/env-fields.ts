import { z } from 'zod';

/**
 * The field types every library's part of the environment schema is written with, so that a port
 * or a duration is checked (and its error worded) the same way everywhere.
 */

export const positiveInt = z.coerce.number().int().min(1);
export const nonNegativeInt = z.coerce.number().int().min(0);
export const port = z.coerce.number().int().min(1).max(65535);
export const percent = z.coerce.number().min(0).max(100);

/** Comma-separated list, blanks dropped: `a, b,,c` is `['a', 'b', 'c']`. */
export function commaSeparated(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
