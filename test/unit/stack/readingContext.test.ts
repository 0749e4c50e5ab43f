import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../lib/config';
import { CONTEXT } from '../../helpers/stackFactory';

// The deployed door of the reading settings: -c context keys, checked at synth by the schema clm validate uses.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-reading-context-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const load = (extra: Record<string, string>) => {
  const context: Record<string, string> = { ...CONTEXT, ...extra };
  return loadConfig((key) => context[key]);
};

describe('reading settings from -c context keys', () => {
  it('reads preset, column mapping, date format, records path and European numbers', async () => {
    // Prepare
    const mapping = join(dir, 'mapping.json');
    await writeFile(mapping, JSON.stringify({ owner_email: { value: 'dana@reseller.example' } }));

    // Act
    const config = load({
      exportFormat: 'pax8-subscriptions',
      columnMapping: mapping,
      dateFormat: 'DD/MM/YYYY',
      recordsPath: 'content',
      europeanNumbers: 'true',
    });

    // Assess
    expect(config.reading).toEqual({
      preset: 'pax8-subscriptions',
      columnMapping: { owner_email: { value: 'dana@reseller.example' } },
      dateFormat: 'DD/MM/YYYY',
      recordsPath: 'content',
      europeanNumbers: true,
    });
    expect(load({}).reading).toEqual({});
  });

  it('stops synth naming the -c key and what it accepts', async () => {
    // Prepare
    const mapping = join(dir, 'bad-mapping.json');
    await writeFile(mapping, JSON.stringify({ 'Seats Owned': 'seats' }));

    // Act
    const preset = () => load({ exportFormat: 'pax9' });
    const date = () => load({ dateFormat: 'D/M/Y' });
    const columns = () => load({ columnMapping: mapping });
    const missing = () => load({ columnMapping: join(dir, 'none.json') });

    // Assess
    expect(preset).toThrow(ConfigError);
    expect(preset).toThrow(/-c exportFormat: use one of partner-center-insights-seats, /);
    expect(date).toThrow(/-c dateFormat: use one of DD\/MM\/YYYY, MM\/DD\/YYYY/);
    expect(columns).toThrow(
      /-c columnMapping=.*bad-mapping\.json: "Seats Owned" -> "seats": "seats" is not one of our columns/,
    );
    expect(missing).toThrow(/-c columnMapping=.*none\.json: ENOENT/);
  });
});
