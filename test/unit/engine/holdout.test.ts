import { describe, expect, it } from 'vitest';
import { compareHoldouts, inHoldout, MIN_HOLDOUT_GROUP } from '../../../lambdas/domain/engine/holdout';
import { DEFAULT_PLAYBOOK, PlaybookError, parsePlaybook } from '../../../lambdas/domain/playbook/playbook';

const ids = Array.from({ length: 10_000 }, (_, i) => `C-${String(i).padStart(5, '0')}`);

describe('holdout groups', () => {
  it('hold out about the configured share, the same customers every time', () => {
    // Act
    const held = ids.filter((id) => inHoldout(id, 'renewal', 20));
    const again = ids.filter((id) => inHoldout(id, 'renewal', 20));

    // Assess
    expect(held.length / ids.length).toBeGreaterThan(0.18);
    expect(held.length / ids.length).toBeLessThan(0.22);
    expect(again).toEqual(held);
  });

  it('draw each play its own group, and a larger share keeps the smaller one', () => {
    // Act
    const renewal = new Set(ids.filter((id) => inHoldout(id, 'renewal', 20)));
    const activation = new Set(ids.filter((id) => inHoldout(id, 'activation', 20)));
    const wider = new Set(ids.filter((id) => inHoldout(id, 'renewal', 30)));

    // Assess
    const both = [...renewal].filter((id) => activation.has(id)).length;
    expect(both / renewal.size).toBeLessThan(0.3);
    expect([...renewal].every((id) => wider.has(id))).toBe(true);
    expect(ids.some((id) => inHoldout(id, 'renewal', 0))).toBe(false);
  });

  it('compare resolution of emailed and held-out cases, and say when the groups are too small', () => {
    // Prepare: 40 emailed cases (30 resolved after 10 days) and 30 held out (15 resolved after 20 days)
    const cases = [
      ...Array.from({ length: 40 }, (_, i) => ({
        playId: 'renewal',
        heldOut: false,
        openedOn: '2026-03-02',
        resolvedOn: i < 30 ? '2026-03-12' : null,
      })),
      ...Array.from({ length: 30 }, (_, i) => ({
        playId: 'renewal',
        heldOut: true,
        openedOn: '2026-03-02',
        resolvedOn: i < 15 ? '2026-03-22' : null,
      })),
    ];

    // Act
    const [enough] = compareHoldouts(['renewal'], cases);
    const [oneEmailedLess] = compareHoldouts(['renewal'], cases.slice(1));

    // Assess
    expect(enough).toEqual({
      play: 'renewal',
      emailed: { cases: 40, resolved: 30, resolutionRate: 0.75, medianDaysToResolution: 10 },
      heldOut: { cases: 30, resolved: 15, resolutionRate: 0.5, medianDaysToResolution: 20 },
      enoughCases: true,
    });
    expect(MIN_HOLDOUT_GROUP).toBe(30);
    expect(oneEmailedLess!.enoughCases).toBe(true);
    expect(compareHoldouts(['renewal'], cases.slice(0, 69))[0]!.enoughCases).toBe(false);
  });
});

describe('holdoutPercent in a playbook', () => {
  const withHoldout = (holdoutPercent: unknown) => ({
    plays: DEFAULT_PLAYBOOK.plays.map((p) => (p.id === 'renewal' ? { ...p, holdoutPercent } : p)),
  });

  it('takes 0 to 50 percent', () => {
    // Act
    const playbook = parsePlaybook(withHoldout(20));

    // Assess
    expect(playbook.plays.find((p) => p.id === 'renewal')!.holdoutPercent).toBe(20);
  });

  it('refuses more than half, naming the play', () => {
    // Act
    const parse = () => parsePlaybook(withHoldout(60));

    // Assess
    expect(parse).toThrow(PlaybookError);
    expect(parse).toThrow(/play "renewal".*holdoutPercent/);
  });
});
