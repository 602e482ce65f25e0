import { IsDefined, IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';

const INT32_MAX = 2 ** 31 - 1;

/**
 * Body of POST /verify/: `id` must fit the proto's int32 and be positive, `token` non-empty.
 * class-validator checks decorators bottom-up and we report only the first failure, so the most
 * basic check (present, then type) sits lowest.
 */
export class VerifyUserDto {
  @Max(INT32_MAX, { message: `id must be between 1 and ${INT32_MAX}` })
  @Min(1, { message: `id must be between 1 and ${INT32_MAX}` })
  @IsInt({ message: 'id must be an integer' })
  @IsDefined({ message: 'id is required' })
  id!: number;

  @IsNotEmpty({ message: 'token must not be empty' })
  @IsString({ message: 'token must be a string' })
  @IsDefined({ message: 'token is required' })
  token!: string;
}
