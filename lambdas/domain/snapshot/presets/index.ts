import { adobeVipSubscriptions, distributorAdobeAssets } from './adobe';
import { dassaultDslsUsage, pax8Subscriptions } from './others';
import {
  partnerCenterInsightsSeats,
  partnerCenterInsightsUsage,
  partnerCenterLicenseDeployment,
  partnerCenterSubscriptions,
} from './partnerCenter';
import type { Preset } from './preset';

export type { ConstantColumn, Preset } from './preset';

export const PRESETS: readonly Preset[] = [
  partnerCenterInsightsSeats,
  partnerCenterInsightsUsage,
  partnerCenterLicenseDeployment,
  partnerCenterSubscriptions,
  adobeVipSubscriptions,
  distributorAdobeAssets,
  dassaultDslsUsage,
  pax8Subscriptions,
];

export const PRESET_NAMES = PRESETS.map((preset) => preset.name);

export function presetNamed(name: string): Preset | undefined {
  return PRESETS.find((preset) => preset.name === name);
}
