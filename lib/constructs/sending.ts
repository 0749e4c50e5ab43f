import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  CfnConfigurationSetEventDestination,
  ConfigurationSet,
  EmailIdentity,
  Identity,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface SendingProps {
  senderEmail: string;
  senderDomain?: string;
}

/** The SES side: the sender identity, and a configuration set that reports bounces and complaints to EventBridge. */
export class Sending extends Construct {
  readonly configurationSet: ConfigurationSet;
  /** ses:SendEmail on the sender identity and the configuration set, nothing else. */
  readonly sendPermission: PolicyStatement;

  constructor(scope: Construct, id: string, props: SendingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const identity = new EmailIdentity(this, 'Sender', {
      identity: props.senderDomain ? Identity.domain(props.senderDomain) : Identity.email(props.senderEmail),
    });
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
    });
    new CfnConfigurationSetEventDestination(this, 'BouncesToEventBridge', {
      configurationSetName: this.configurationSet.configurationSetName,
      eventDestination: {
        enabled: true,
        matchingEventTypes: ['BOUNCE', 'COMPLAINT'],
        eventBridgeDestination: {
          eventBusArn: `arn:${stack.partition}:events:${stack.region}:${stack.account}:event-bus/default`,
        },
      },
    });
    this.sendPermission = new PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [
        identity.emailIdentityArn,
        `arn:${stack.partition}:ses:${stack.region}:${stack.account}:configuration-set/${this.configurationSet.configurationSetName}`,
      ],
    });
  }
}
