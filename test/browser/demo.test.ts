import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulation } from '../../local/simulation';

const OUT = fileURLToPath(new URL('../../out/demo-browser/', import.meta.url));
let browser: Browser;

beforeAll(async () => {
  await runSimulation({
    source: { kind: 'generated', customers: 15, days: 30, seed: 11, start: '2026-03-02' },
    out: OUT,
  });
  await mkdir(join(OUT, 'screenshots'), { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe('the local run index in a browser', () => {
  it('lists the nights with their emails and opens one', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });

    // Act
    await page.goto(pathToFileURL(join(OUT, 'index.html')).href);
    const heading = await page.textContent('h1');
    const days = await page.$$('details');
    await page.click('details summary');
    const first = await page.getAttribute('details a', 'href');
    const sentAt = await page.textContent('details li small');
    await page.screenshot({ path: join(OUT, 'screenshots', 'index.png'), fullPage: true });
    await page.goto(pathToFileURL(join(OUT, first!)).href);
    const mail = await page.textContent('body');

    // Assess
    expect(heading).toBe('Local run: 30 nights');
    expect(days.length).toBeGreaterThan(0);
    expect(first).toMatch(/^mail\/\d{5}-2026-\d{2}-\d{2}-/);
    expect(mail).toContain('Northwind Licensing');
    // Virtual time: a customer email goes at 09:30 local, which is morning-to-evening UTC, never the test's clock.
    expect(sentAt).toMatch(/at (07|08|09|13|14|15|16|17):30 UTC/);
    await page.close();
  });
});
