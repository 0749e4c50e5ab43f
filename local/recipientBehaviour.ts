// What the sample's recipients do with the emails they get, decided from the order in which they first receive
// one (which the seed decides): some addresses bounce for good, one recipient reports spam, a few unsubscribe
// with their mail client's one-click button. Each happens once, on the first email to that address.

export type RecipientBehaviour = 'bounce' | 'complaint' | 'unsubscribe' | 'reads';

/** The n-th address to get a customer email (from 1). */
export function behaviourOf(n: number): RecipientBehaviour {
  if (n % 25 === 3) return 'bounce';
  if (n === 7) return 'complaint';
  if (n % 15 === 5) return 'unsubscribe';
  return 'reads';
}

/** Numbers addresses by their first customer email. */
export class Recipients {
  private readonly seen = new Map<string, number>();

  /** The behaviour of this address, the first time it gets an email; afterwards it just reads. */
  firstEmailTo(address: string): RecipientBehaviour {
    if (this.seen.has(address)) return 'reads';
    this.seen.set(address, this.seen.size + 1);
    return behaviourOf(this.seen.size);
  }
}
