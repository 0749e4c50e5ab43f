import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DeliveryEvent, EventLog } from '../ports/eventLog';
import { logger } from './logger';
import { maskEmail } from './privacy';

export const METRICS_NAMESPACE = 'ClmAutopilot';

/** Metric names the dashboard and alarms read; one place so the stack and the handlers agree. */
export const METRIC = {
  emailSent: 'EmailSent',
  taskRecorded: 'TaskRecorded',
  escalation: 'Escalation',
  caseOpened: 'CaseOpened',
  caseResolved: 'CaseResolved',
  suppressed: 'EmailSuppressed',
  digestSent: 'DigestSent',
  ingestRows: 'IngestRows',
  ingestRejects: 'IngestRejects',
  ingestFailedFiles: 'IngestFailedFiles',
  /** Steps whose schedule was lost and the nightly sweep made again: each one is a fault worth a look. */
  stepsRescheduled: 'StepsRescheduled',
} as const;

export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'clm-autopilot',
});

let publishing = true;

/** The local run has events.jsonl and its summary: metric lines there would only be noise on the terminal. */
export function keepMetricsLocal(): void {
  publishing = false;
}

/** Flushes what an invocation counted; an invocation that counted nothing writes nothing. */
export function publishMetrics(): void {
  if (!metrics.hasStoredMetrics()) return;
  if (publishing) metrics.publishStoredMetrics();
  else metrics.clearMetrics();
}

/** Steps the nightly sweep scheduled again because their schedule was lost. */
export function countRescheduled(steps: number): void {
  metrics.addMetric(METRIC.stepsRescheduled, MetricUnit.Count, steps);
}

/** A snapshot file that could not be used at all (its report says why). */
export function countFailedFile(): void {
  metrics.addMetric(METRIC.ingestFailedFiles, MetricUnit.Count, 1);
}

/** In Lambda, events become log lines (addresses masked) and metrics (emails by play, tasks, escalations, resolutions). */
export class PowertoolsEventLog implements EventLog {
  record(event: DeliveryEvent, at: Date): void {
    const safe = {
      ...event,
      ...('to' in event ? { to: maskEmail(event.to) } : {}),
      ...('by' in event ? { by: maskEmail(event.by) } : {}),
    };
    logger.info(event.kind, { event: safe, at: at.toISOString() });
    const byPlay = (name: string, play: string) => {
      const single = metrics.singleMetric();
      single.addDimension('play', play);
      single.addMetric(name, MetricUnit.Count, 1);
    };
    switch (event.kind) {
      case 'email':
        byPlay(METRIC.emailSent, event.play);
        break;
      case 'task':
        metrics.addMetric(event.level === 2 ? METRIC.escalation : METRIC.taskRecorded, MetricUnit.Count, 1);
        break;
      case 'case-opened':
        byPlay(METRIC.caseOpened, event.play);
        break;
      case 'case-resolved':
        byPlay(METRIC.caseResolved, event.play);
        break;
      case 'suppressed':
        metrics.addMetric(METRIC.suppressed, MetricUnit.Count, 1);
        break;
      case 'digest':
        metrics.addMetric(METRIC.digestSent, MetricUnit.Count, 1);
        break;
      case 'ingest':
        metrics.addMetric(METRIC.ingestRows, MetricUnit.Count, event.accepted);
        metrics.addMetric(METRIC.ingestRejects, MetricUnit.Count, event.rejected);
        break;
    }
  }
}
