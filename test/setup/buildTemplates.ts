import { buildTemplates } from '../../scripts/buildTemplates';

// The compiled templates are a build product (gitignored): build them once before any test runs.
export default async function setup(): Promise<void> {
  await buildTemplates();
}
