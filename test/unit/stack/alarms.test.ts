import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DeliveryEvent } from '../../../lambdas/ports/eventLog';
import {
  countFailedFile,
  countRescheduled,
  METRICS_NAMESPACE,
  PowertoolsEventLog,
  publishMetrics,
} from '../../../lambdas/shared/observability';
import { removeTestApps, synthesizeStack } from '../../helpers/stackFactory';

// Every alarm on one of our own metrics must watch something a handler emits, with the same dimensions: an alarm on
// a metric nothing emits can never fire.

let template: Template;
beforeAll(() => {
  ({ template } = synthesizeStack());
}, 120_000);
afterAll(() => {
  removeTestApps();
  vi.restoreAllMocks();
});

interface Emitted {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

/** What the handlers' metric calls write, read back from the embedded metric format they publish. */
function emittedMetrics(): Emitted[] {
  const emitted: Emitted[] = [];
  vi.spyOn(Metrics.prototype, 'publishStoredMetrics').mockImplementation(function (this: Metrics) {
    const document = this.serializeMetrics() as unknown as Record<string, unknown> & {
      _aws: {
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
      };
    };
    for (const directive of document._aws.CloudWatchMetrics) {
      const names = directive.Dimensions[0] ?? [];
      const dimensions = Object.fromEntries(names.map((n) => [n, String(document[n])]));
      for (const metric of directive.Metrics)
        emitted.push({ namespace: directive.Namespace, name: metric.Name, dimensions });
    }
    this.clearMetrics();
    return this;
  });
  // Prepare: every event the handlers record (in Lambda through this log), and the counts they make themselves
  const log = new PowertoolsEventLog();
  const at = new Date('2026-03-02T08:00:00Z');
  const events: DeliveryEvent[] = [
    { kind: 'ingest', file: 'snapshots/2026-03-02.csv', accepted: 10, rejected: 1 },
    { kind: 'case-opened', customerId: 'C-1', play: 'welcome', caseId: 'c' },
    { kind: 'case-resolved', customerId: 'C-1', play: 'welcome', caseId: 'c' },
    {
      kind: 'email',
      customerId: 'C-1',
      play: 'welcome',
      template: 'welcome',
      variant: null,
      to: 'a@b.example',
      locale: 'en',
      caseId: 'c',
    },
    { kind: 'task', customerId: 'C-1', play: 'p', task: 't', level: 1, to: 'o@b.example', caseId: 'c' },
    { kind: 'task', customerId: 'C-1', play: 'p', task: null, level: 2, to: 'l@b.example', caseId: 'c' },
    { kind: 'digest', to: 'o@b.example', level: 1, items: 2 },
  ] as DeliveryEvent[];
  for (const event of events) log.record(event, at);
  countFailedFile();
  countRescheduled(1);
  publishMetrics();
  return emitted;
}

describe('alarms', () => {
  it('watch only metrics some handler emits, with the dimensions it emits them with', () => {
    // Act
    const emitted = emittedMetrics();
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, resource]) => ({
      id,
      ...(resource as { Properties: Record<string, unknown> }).Properties,
    })) as {
      id: string;
      Namespace?: string;
      MetricName?: string;
      Dimensions?: { Name: string; Value: string }[];
    }[];
    const ours = alarms.filter((a) => a.Namespace === METRICS_NAMESPACE);

    // Assess: rejects, unusable files and lost schedules are watched, and each is emitted as watched
    expect(ours.map((a) => a.MetricName).sort()).toEqual([
      'IngestFailedFiles',
      'IngestRejects',
      'StepsRescheduled',
    ]);
    for (const alarm of ours) {
      const dimensions = Object.fromEntries((alarm.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      expect(emitted, alarm.id).toContainEqual({
        namespace: METRICS_NAMESPACE,
        name: alarm.MetricName,
        dimensions,
      });
    }
    // and the others watch what AWS itself reports
    for (const alarm of alarms.filter((a) => a.Namespace !== METRICS_NAMESPACE))
      expect(alarm.Namespace ?? 'AWS/SQS', alarm.id).toMatch(/^AWS\//);
  });
});
