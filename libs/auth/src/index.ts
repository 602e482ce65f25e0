export { AuthModule, type AuthConfig } from './auth.module';
export { API_KEY_HEADER } from './authenticator';
export { JWT_ALGORITHMS } from './jwt-verifier';
