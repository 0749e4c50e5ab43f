/**
 * What happened, in the shape of the events.jsonl contract: the local runner writes these to a file; in Lambda
 * they become log lines (with addresses masked) and metrics.
 */
export type DeliveryEvent =
  | { kind: 'ingest'; file: string; accepted: number; rejected: number }
  | { kind: 'case-opened' | 'case-resolved'; customerId: string; play: string; caseId: string }
  | {
      /** held-out: the email a customer in the play's holdout group would have got, not sent. */
      kind: 'email' | 'held-out';
      customerId: string;
      play: string;
      template: string;
      variant: string | null;
      to: string;
      locale: string;
      caseId: string;
    }
  | {
      kind: 'task';
      customerId: string;
      play: string;
      task: string | null;
      level: 1 | 2;
      to: string;
      caseId: string | null;
    }
  | { kind: 'suppressed'; customerId: string; play: string; template: string; to: string; reason: string }
  | { kind: 'digest'; to: string; level: 1 | 2; items: number }
  | {
      kind: 'task-done' | 'task-snoozed' | 'customer-paused' | 'customer-resumed';
      customerId: string;
      /** Present when the action came from a task of a case. */
      caseId?: string;
      /** The owner or team lead who acted. */
      by: string;
    };

export interface EventLog {
  record(event: DeliveryEvent, at: Date): void;
}
