export type SuppressionReason = 'unsubscribed' | 'bounced' | 'complained';

/** Admin addresses that get no more customer emails. */
export interface SuppressionList {
  isSuppressed(email: string): Promise<boolean>;
  suppress(email: string, reason: SuppressionReason, at: Date): Promise<void>;
}
