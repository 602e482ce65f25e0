import { IsDefined, IsNotEmpty, IsString } from 'class-validator';

/**
 * Body of POST /projects/ on the gateway and of POST /create on webapp-1 (the gateway validates it
 * too, so that bad input never costs an upstream call).
 */
export class CreateProjectDto {
  // class-validator runs decorators bottom-up and we report the first failure: presence, then
  // type, then content.
  @IsNotEmpty({ message: 'title must not be empty' })
  @IsString({ message: 'title must be a string' })
  @IsDefined({ message: 'title is required' })
  title!: string;
}
