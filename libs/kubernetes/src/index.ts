export {
  type GatewayApiWatch,
  type GatewayApiWatchOptions,
  watchGatewayApi,
} from './gateway-api-watch';
