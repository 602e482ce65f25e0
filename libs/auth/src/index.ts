// Its variables (AUTH_*) are imported as '@app/auth/env' (by libs/config only).
export { type AuthEnv } from './auth-env';
export { type RouteAuth } from './auth-routes';
export { AuthModule } from './auth.module';
export { AuthCapabilities } from './auth-capabilities';
export { type AuthPolicy, RouteAuthPolicies } from './route-auth-policies';
export { API_KEY_HEADER } from './authenticator';
export { JWT_ALGORITHMS } from './jwt-verifier';
