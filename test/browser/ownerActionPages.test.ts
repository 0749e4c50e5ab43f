import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_ACTIONS } from '../../lambdas/domain/delivery/actionToken';
import { LOCALES } from '../../lambdas/domain/locales';
import { confirmActionPage, outcomePage } from '../../lambdas/ownerActions/pages';

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('the owner-action pages on a phone', () => {
  it('show every confirmation at 375 px without horizontal overflow, with a button a thumb can hit', async () => {
    // Prepare: the longest customer names exports carry
    const page = await browser.newPage({ viewport: { width: 375, height: 700 } });
    const problems: string[] = [];

    // Act
    for (const locale of LOCALES) {
      for (const action of OWNER_ACTIONS) {
        await page.setContent(
          confirmActionPage(
            locale,
            action,
            'Internationale Ingenieurgesellschaft für Anlagenbau mbH & Co. KG',
          ),
        );
        const { scrollWidth, innerWidth, button, method } = await page.evaluate<{
          scrollWidth: number;
          innerWidth: number;
          button: { height: number; bottom: number } | null;
          method: string | null;
        }>(`(() => {
          const b = document.querySelector('form button');
          const r = b ? b.getBoundingClientRect() : null;
          return {
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            button: r ? { height: r.height, bottom: r.bottom } : null,
            method: document.querySelector('form')?.getAttribute('method') ?? null,
          };
        })()`);
        if (scrollWidth > innerWidth) problems.push(`${locale} ${action}: ${scrollWidth} > ${innerWidth}`);
        if (!button || button.height < 36 || button.bottom > 700)
          problems.push(`${locale} ${action}: button ${JSON.stringify(button)}`);
        if (method !== 'post') problems.push(`${locale} ${action}: form method ${method}`);
      }
      await page.setContent(
        outcomePage(locale, { kind: 'paused', until: '2026-12-18' }, 'Nordstone Design GmbH'),
      );
      const title = await page.textContent('h1');
      if (!title) problems.push(`${locale}: outcome page without a heading`);
    }
    await page.close();

    // Assess
    expect(problems).toEqual([]);
  });
});
