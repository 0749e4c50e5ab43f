// The compiled templates, bundled into the Lambda as code: `npm run build:templates` generates this module.
import { COMPILED_TEMPLATES as built } from '../../templates/compiled/templates';
import type { CompiledTemplates } from './renderer';

export const COMPILED_TEMPLATES: CompiledTemplates = built;
