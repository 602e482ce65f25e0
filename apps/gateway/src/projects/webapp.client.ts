import { APP_CONFIG, type GatewayConfig } from '@app/config';
import { REQUEST_ID_HEADER } from '@app/logging';
import { UpstreamException } from '@app/upstream';
import { HttpService } from '@nestjs/axios';
import { HttpException, Inject, Injectable } from '@nestjs/common';
import { isAxiosError } from 'axios';

export const WEBAPP = 'webapp-1';

/** Calls webapp-1's POST /create and turns every failure into a clear gateway answer. */
@Injectable()
export class WebappClient {
  private readonly baseUrls: string[];
  private next = 0;

  constructor(
    private readonly http: HttpService,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.baseUrls = config.WEBAPP_URL.split(',').map((url) => url.trim().replace(/\/+$/, ''));
  }

  async createProject(title: string, requestId: string): Promise<unknown> {
    const base = this.baseUrls[this.next++ % this.baseUrls.length];
    let response;
    try {
      response = await this.http.axiosRef.post(
        `${base}/create`,
        { title },
        {
          headers: { [REQUEST_ID_HEADER]: requestId },
          timeout: this.config.WEBAPP_TIMEOUT_MS,
          validateStatus: () => true,
        },
      );
    } catch (err) {
      throw failure(err);
    }
    if (response.status >= 500)
      throw new UpstreamException(WEBAPP, 'bad_response', `HTTP ${response.status}`);
    // The caller's fault, as judged by webapp-1: pass its answer through.
    if (response.status >= 400) throw new HttpException(response.data, response.status);
    return response.data;
  }
}

function failure(err: unknown): UpstreamException {
  const code = isAxiosError(err) ? err.code : undefined;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT')
    return new UpstreamException(WEBAPP, 'timeout', code);
  return new UpstreamException(WEBAPP, 'unavailable', code ?? (err as Error).message);
}
