/**
 * Retry schedule (RFC 5321 §4.5.4.1: retry at growing intervals, give up after days):
 * retry_base_s after the first failure, doubling each time, capped at retry_max_s.
 */
import type { Config } from '../../config/schema.js';

/** delay in ms before attempt number `attempts + 1`, given `attempts` failures so far (>= 1) */
export function retryDelayMs(smtp: Config['smtp'], attempts: number): number {
  const exp = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(smtp.retry_base_s * 2 ** exp, smtp.retry_max_s) * 1000;
}

export function expiresAt(smtp: Config['smtp'], createdAt: Date): Date {
  return new Date(createdAt.getTime() + smtp.queue_lifetime_days * 86_400_000);
}

export function warnAt(smtp: Config['smtp'], createdAt: Date): Date {
  return new Date(createdAt.getTime() + smtp.delay_warning_hours * 3_600_000);
}
