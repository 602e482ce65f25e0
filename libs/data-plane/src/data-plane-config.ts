import type { DefaultRouteTableEnv } from '@app/routes';
import type { RoutesEnv } from '@app/routes/env';
import type { UpstreamEnv } from '@app/upstream/env';

/** The part of the gateway's environment the data plane reads. */
export type DataPlaneConfig = RoutesEnv & DefaultRouteTableEnv & UpstreamEnv;
