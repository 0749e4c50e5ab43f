import { MailerThrottledError } from '../../../lambdas/ports/mailer';

// Fault injection at the ports: a wrapper around any port object (Mailer, MessageLedger, PortfolioStore,
// TaskBook, Scheduler, the ingest stores...) that makes a chosen method fail, either before the call reaches the
// real adapter (nothing happened) or after it (the effect happened, the caller only sees an error), a given
// number of times or always. Every other call goes through unchanged.

/** `before`: the call never reaches the service. `after`: the service did it, then the answer was lost. */
export type FaultTiming = 'before' | 'after';

export interface Fault {
  method: string;
  when: FaultTiming;
  /** How many calls fail (the first ones after `skip`); `always` fails every call. */
  times: number | 'always';
  /** Calls that go through before the faults start. */
  skip?: number;
  error: () => Error;
}

export interface FaultLog {
  /** Calls per method, failed ones included. */
  calls: Record<string, number>;
  /** Faults raised per method. */
  raised: Record<string, number>;
}

/** The port with the faults in place, and a log of its calls. Methods keep their `this`; ports are async. */
export function withFaults<T extends object>(port: T, ...faults: Fault[]): T & { faults: FaultLog } {
  const log: FaultLog = { calls: {}, raised: {} };
  const shouldFail = (fault: Fault, call: number) =>
    call > (fault.skip ?? 0) && (fault.times === 'always' || call <= (fault.skip ?? 0) + fault.times);
  return new Proxy(port, {
    get(target, property, receiver) {
      if (property === 'faults') return log;
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function') return value;
      const fault = faults.find((f) => f.method === property);
      return async (...args: unknown[]) => {
        const call = (log.calls[property] ?? 0) + 1;
        log.calls[property] = call;
        const fail = fault !== undefined && shouldFail(fault, call);
        if (fail && fault.when === 'before') throw raise(log, property, fault);
        const result = await value.apply(target, args);
        if (fail) throw raise(log, property, fault);
        return result;
      };
    },
  }) as T & { faults: FaultLog };
}

function raise(log: FaultLog, method: string, fault: Fault): Error {
  log.raised[method] = (log.raised[method] ?? 0) + 1;
  return fault.error();
}

/** The process died here: what the next invocation sees is whatever was written before. */
export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

export const crash = () => new SimulatedCrash('the function died here');

/** What a DynamoDB adapter throws once the SDK's retries of a throttled request ran out. */
export const dynamoThrottled = () =>
  Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded.'), {
    name: 'ProvisionedThroughputExceededException',
  });

/** What the Scheduler adapter throws once its retries of a throttled request ran out. */
export const schedulerThrottled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

/** What the SES mailer throws once its retries of a throttled send ran out (nothing was sent). */
export const sesThrottled = () => new MailerThrottledError('SES kept throttling the send');

/** A request that failed on the way (connection reset, a 500): neither throttling nor the caller's fault. */
export const networkFailure = () =>
  Object.assign(new Error('socket hang up'), { name: 'InternalServerError' });
