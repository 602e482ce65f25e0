import type { SharedBudgets } from './shared-budgets';
import type { SharedWindows } from './shared-windows';

/** The limits' state shared by every gateway (Redis): per-request windows and background budgets. */
export type SharedLimits = SharedWindows & SharedBudgets;

/** Nest token of the SharedLimits; null without REDIS_URL (each gateway counts on its own). */
export const SHARED_LIMITS = Symbol('SHARED_LIMITS');
