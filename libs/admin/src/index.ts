export { AdminModule, type AdminOptions } from './admin.module';
export { startAdminServer } from './start-admin-server';
