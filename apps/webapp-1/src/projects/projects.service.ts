import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';

export interface Project {
  id: number;
  url: string;
}

/** Creates projects as the original demo did: a fresh integer id and a `Project-<title>` url. */
@Injectable()
export class ProjectsService {
  create(title: string): Project {
    // Random rather than sequential: replicas share no state, and ids must not collide between them.
    return { id: randomInt(1, 2 ** 31 - 1), url: `Project-${title}` };
  }
}
