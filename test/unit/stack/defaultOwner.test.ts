import { describe, expect, it } from 'vitest';
import { checkSettings, SettingsFileError } from '../../../lambdas/shared/settings';
import { loadConfig } from '../../../lib/config';
import { LOCAL_SETTINGS } from '../../../local/localFunctions';
import { CONTEXT } from '../../helpers/stackFactory';

describe('defaultOwnerEmail', () => {
  it('is read from -c defaultOwnerEmail=…, checked at synth, and checked again in the settings file', () => {
    // Act
    const config = loadConfig((k) => ({ ...CONTEXT, defaultOwnerEmail: 'desk@reseller.example' })[k]);
    const wrong = () => loadConfig((k) => ({ ...CONTEXT, defaultOwnerEmail: 'desk' })[k]);
    const file = () => checkSettings('ingest', { ...LOCAL_SETTINGS, defaultOwnerEmail: 42 });

    // Assess
    expect(config.defaultOwnerEmail).toBe('desk@reseller.example');
    expect(loadConfig((k) => CONTEXT[k]).defaultOwnerEmail).toBeUndefined();
    expect(wrong).toThrow(/-c defaultOwnerEmail=desk: must be an email address/);
    expect(file).toThrow(SettingsFileError);
    expect(file).toThrow(/defaultOwnerEmail: expected an address/);
  });
});
