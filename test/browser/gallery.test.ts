import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePreview } from '../../scripts/preview';

const OUT = fileURLToPath(new URL('../../out/preview/', import.meta.url));
const SHOTS = join(OUT, 'screenshots');
const WIDTHS = [375, 1024];

let browser: Browser;
let files: string[];

beforeAll(async () => {
  files = await writePreview(OUT);
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
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('the email gallery in a browser', () => {
  it('has an index linking every rendering', async () => {
    // Prepare
    const page = await browser.newPage();

    // Act
    await page.goto(pathToFileURL(join(OUT, 'index.html')).href);
    const links = await page.$$eval('a', (anchors) => anchors.map((a) => a.getAttribute('href')));

    // Assess
    expect(links).toEqual(files);
    await page.close();
  });

  it('renders every email and digest at 375 px and 1024 px without horizontal overflow', async () => {
    // Prepare
    const overflowing: string[] = [];

    // Act
    for (const width of WIDTHS) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      for (const file of files) {
        await page.goto(pathToFileURL(join(OUT, file)).href);
        const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
          '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
        );
        if (scrollWidth > innerWidth)
          overflowing.push(`${file} at ${width}px: ${scrollWidth} > ${innerWidth}`);
        await page.screenshot({
          path: join(SHOTS, `${file.replace(/\.html$/, '')}--${width}.png`),
          fullPage: true,
        });
      }
      await page.close();
    }

    // Assess
    expect(overflowing).toEqual([]);
  }, 300_000);
});
