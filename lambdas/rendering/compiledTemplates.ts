// The compiled templates, bundled into the Lambda as data: `npm run build:templates` writes this file.
import compiled from '../../templates/compiled/templates.json';
import type { CompiledTemplates } from './renderer';

export const COMPILED_TEMPLATES: CompiledTemplates = compiled;
