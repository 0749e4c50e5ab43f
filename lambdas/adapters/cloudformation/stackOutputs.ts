import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

export class StackOutputMissingError extends Error {
  override name = 'StackOutputMissingError';
}

/** One output of a deployed stack, e.g. the snapshot bucket's name. */
export async function stackOutput(
  client: CloudFormationClient,
  stackName: string,
  outputKey: string,
): Promise<string> {
  const result = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const value = result.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === outputKey)?.OutputValue;
  if (!value) {
    throw new StackOutputMissingError(
      `stack ${stackName} has no output ${outputKey}: is clm-autopilot deployed there?`,
    );
  }
  return value;
}

export { CloudFormationClient };
