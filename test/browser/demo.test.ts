import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulation } from '../../local/simulation';

// The run report as a reseller opens it from disk: charts drawn, the figures of summary.json, the customer list
// leading to a journey and from there to the email itself. Screenshots are kept in out/demo-browser/screenshots.

const OUT = fileURLToPath(new URL('../../out/demo-browser/', import.meta.url));
const SHOTS = join(OUT, 'screenshots');
const WIDTHS = [375, 1280];
let browser: Browser;
let summary: Record<string, unknown>;
let events: { at: string; kind: string; customerId: string; to: string }[];

beforeAll(async () => {
  await runSimulation({
    source: { kind: 'generated', customers: 15, days: 45, seed: 11, start: '2026-03-02' },
    out: OUT,
  });
  summary = JSON.parse(await readFile(join(OUT, 'summary.json'), 'utf8'));
  events = (await readFile(join(OUT, 'events.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  await mkdir(SHOTS, { recursive: true });
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

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

describe.each(WIDTHS)('the run report at %i px', (width) => {
  it('draws its charts, shows the summary figures and fits the screen', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width, height: 900 } });

    // Act
    await page.goto(pathToFileURL(join(OUT, 'index.html')).href);
    const heading = await page.textContent('h1');
    const shapes = await page.$$eval('figure[data-chart] svg', (svgs) =>
      svgs.map((svg) => svg.querySelectorAll('rect, path[d^="M"]').length),
    );
    const figures = Object.fromEntries(
      await page.$$eval('[data-summary]', (items) =>
        items.map((i) => [i.getAttribute('data-summary'), Number(i.querySelector('b')!.textContent)]),
      ),
    );
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    await page.screenshot({ path: join(SHOTS, `index-${width}.png`), fullPage: true });

    // Assess
    expect(heading).toBe('Local run: 45 nights');
    expect(shapes).toHaveLength(5);
    for (const count of shapes) expect(count).toBeGreaterThan(0);
    const emails = Object.values(summary.emailsByPlay as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(figures).toMatchObject({
      days: summary.days,
      customers: summary.customers,
      casesOpened: summary.casesOpened,
      resolutions: summary.resolutions,
      tasks: summary.tasks,
      escalations: summary.escalations,
      digests: summary.digests,
      emails,
      'ingest.rows': (summary.ingest as { rows: number }).rows,
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });

  it('finds a customer, opens the journey and from there the email', async () => {
    // Prepare: a customer who was emailed, as the events say
    const emailed = events.find((e) => e.kind === 'email')!;
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(pathToFileURL(join(OUT, 'index.html')).href);
    const name = await page.textContent(`tr:has(small:text-is("${emailed.customerId}")) a`);

    // Act
    await page.fill('#search', name!);
    const shown = await page.$$eval('#customers tbody tr', (rows) =>
      rows.filter((r) => !r.hasAttribute('hidden')).map((r) => r.querySelector('small')!.textContent),
    );
    await page.click(`#customers tbody tr:not([hidden]) a:text-is("${name}")`);
    const title = await page.textContent('h1');
    const journey = await page.$$eval('figure[data-chart] svg', (svgs) =>
      svgs.map((svg) => svg.querySelectorAll('rect, circle, path[d^="M"]').length),
    );
    const links = await page.$$eval('a.email', (as) => as.map((a) => a.getAttribute('href')));
    await page.screenshot({ path: join(SHOTS, `customer-${width}.png`), fullPage: true });
    await page.click('a.email');
    const mail = await page.textContent('body');

    // Assess
    expect(shown).toContain(emailed.customerId);
    expect(title).toBe(name);
    for (const count of journey) expect(count).toBeGreaterThan(0);
    const emailsOfCustomer = events.filter((e) => e.kind === 'email' && e.customerId === emailed.customerId);
    expect(links).toHaveLength(emailsOfCustomer.length);
    expect(links[0]).toMatch(
      new RegExp(`^\\.\\./mail/\\d{5}-${emailed.at.slice(0, 10)}-${slug(emailed.to)}-`),
    );
    expect(page.url()).toContain('/mail/');
    expect(mail).toContain('Northwind Licensing');
    await page.close();
  });
});

describe('the list of every email', () => {
  it('lists the nights with their emails and opens one', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });

    // Act
    await page.goto(pathToFileURL(join(OUT, 'mail.html')).href);
    const days = await page.$$('details');
    await page.click('details summary');
    const first = await page.getAttribute('details a', 'href');
    const sentAt = await page.textContent('details li small');
    await page.goto(pathToFileURL(join(OUT, first!)).href);
    const mail = await page.textContent('body');

    // Assess
    expect(days.length).toBeGreaterThan(0);
    expect(first).toMatch(/^mail\/\d{5}-2026-\d{2}-\d{2}-/);
    expect(mail).toContain('Northwind Licensing');
    // Virtual time, never the test's clock: the time shown is when the run's events say an email or digest went
    // to that recipient that night (admins from Auckland to Los Angeles, so any hour of the UTC day).
    const [, to, time] = /to (\S+) at (\d\d:\d\d) UTC/.exec(sentAt ?? '') ?? [];
    const day = /^mail\/\d{5}-(\d{4}-\d{2}-\d{2})-/.exec(first ?? '')?.[1];
    expect(
      events.some(
        (e) =>
          (e.kind === 'email' || e.kind === 'digest') &&
          e.to?.toLowerCase() === to?.toLowerCase() &&
          e.at.slice(0, 10) === day &&
          e.at.slice(11, 16) === time,
      ),
    ).toBe(true);
    await page.close();
  });
});
