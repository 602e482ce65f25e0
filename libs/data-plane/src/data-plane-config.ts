import type { DefaultRouteTableEnv } from '@app/routes';
import type { RoutesEnv } from '@app/routes/env';
import type { UpstreamEnv } from '@app/upstream/env';

/** The part of the gateway's environment the data plane reads. */
export type DataPlaneConfig = RoutesEnv &
  DefaultRouteTableEnv &
  UpstreamEnv & {
    /** The pod's own ports: never handed to a Gateway's listener (GATEWAY_API_INTERNAL_PORTS). */
    readonly PORT: number;
    readonly ADMIN_PORT: number;
  };
