import { HttpUpstream } from '@app/upstream';
import { Injectable } from '@nestjs/common';

export const WEBAPP = 'webapp-1';

/** webapp-1's API as the gateway uses it; balancing, retries and breaking live in HttpUpstream. */
@Injectable()
export class WebappClient {
  constructor(private readonly webapp: HttpUpstream) {}

  createProject(title: string, requestId: string): Promise<unknown> {
    return this.webapp.postJson('/create', { title }, requestId);
  }
}
