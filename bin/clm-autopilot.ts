import { App } from 'aws-cdk-lib';
import { ClmAutopilotStack } from '../lib/clmAutopilotStack';
import { ConfigError, loadConfig } from '../lib/config';
import { acknowledgeFindings, applyNag } from '../lib/nag';

const app = new App();
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig((key) => app.node.tryGetContext(key));
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
const stack = new ClmAutopilotStack(app, app.node.tryGetContext('stackName') ?? 'ClmAutopilot', {
  config,
  description: 'clm-autopilot: customer lifecycle management for software resellers',
});
acknowledgeFindings(stack, stack.ownWildcards);
applyNag(app);
