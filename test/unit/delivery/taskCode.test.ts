import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signActionToken, verifyActionToken } from '../../../lambdas/domain/delivery/actionToken';
import { TaskCodeError, taskCodeOf, taskOfCode } from '../../../lambdas/domain/delivery/taskCode';

const SECRET = 'unit-test-secret';

describe('the task ID shown in the digests', () => {
  it('gives back the recipient, due day, task id and customer it was made from', () => {
    const day = fc
      .date({ min: new Date('2020-01-01'), max: new Date('2040-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        fc.emailAddress(),
        day,
        fc.oneof(
          fc.stringMatching(/^[0-9a-f]{32}$/),
          fc.string({ minLength: 1, maxLength: 64 }).filter((id) => !id.includes('\0')),
        ),
        fc.string({ minLength: 1, maxLength: 40 }),
        (to, dueOn, taskId, customerId) => {
          const task = { to, dueOn, taskId, customerId };
          const code = taskCodeOf(task);
          expect(code).toMatch(/^T[A-Za-z0-9_-]+$/);
          expect(taskOfCode(code)).toEqual(task);
          expect(taskOfCode(` ${code}\n`)).toEqual(task);
        },
      ),
    );
  });

  it('refuses what is not one of ours: mistyped, cut short, another shape', () => {
    const code = taskCodeOf({
      to: 'dana.owner@reseller.example',
      dueOn: '2026-03-09',
      taskId: '0f3a9c1e5d2b4a6978c1e0f3a9c1e5d2',
      customerId: 'C-1',
    });
    // Short enough to copy: the recipient and customer as written, the rest packed.
    expect(code.length).toBeLessThan(80);
    const notOurs = [
      '',
      'T',
      code.slice(0, -6),
      code.slice(1),
      `${code}!`,
      `T${Buffer.from([3, 0, 1]).toString('base64url')}`,
      `T${Buffer.from('\u0002\u0026\u0010x\u0000no-recipient\u0000C-1').toString('base64url')}`,
      `T${Buffer.from('\u0002\u0026\u0010x\u0000a@b.example').toString('base64url')}`,
    ];
    for (const text of notOurs) expect(() => taskOfCode(text), text).toThrow(TaskCodeError);
  });
});

describe('action tokens for clm customer pause', () => {
  it('carry a pause without a task, with its length in days; other actions cannot name days', () => {
    const claims = {
      action: 'pause' as const,
      by: 'dana.owner@reseller.example',
      customerId: 'C-1',
      task: null,
      locale: 'en' as const,
      issuedOn: '2026-03-09',
    };

    expect(verifyActionToken(signActionToken(claims, SECRET), SECRET, '2026-03-10')).toEqual({
      valid: true,
      claims,
    });
    expect(verifyActionToken(signActionToken({ ...claims, days: 90 }, SECRET), SECRET, '2026-03-10')).toEqual(
      {
        valid: true,
        claims: { ...claims, days: 90 },
      },
    );
    for (const bad of [
      { ...claims, action: 'done' as const },
      { ...claims, action: 'resume' as const, days: 5 },
      { ...claims, days: 0 },
      { ...claims, days: 400 },
    ])
      expect(verifyActionToken(signActionToken(bad, SECRET), SECRET, '2026-03-10')).toEqual({
        valid: false,
        reason: 'malformed',
      });
  });
});
