import { FUNCTION_NAMES } from '../lambdas/shared/environment';

// How every Lambda is bundled: shared by the CDK construct and `npm run bench`, so the bench measures what deploys.

/** The Node.js runtime ships AWS SDK v3; handlebars loads source-map only if present (for its compiler's maps). */
export const EXTERNAL_MODULES = ['@aws-sdk/*', 'source-map'];

/** ESM bundles need require() for the few CommonJS dependencies. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export const BUNDLE_TARGET = 'node24';

/** The handler files under lambdas/handlers, one function each. */
export const HANDLERS = FUNCTION_NAMES;
