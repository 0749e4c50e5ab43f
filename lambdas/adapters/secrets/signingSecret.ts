import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Reads the unsubscribe signing secret once per Lambda container. */
export function cachedSecret(client: SecretsManagerClient, secretId: string): () => Promise<string> {
  let value: Promise<string> | undefined;
  return () => {
    value ??= client.send(new GetSecretValueCommand({ SecretId: secretId })).then((result) => {
      if (!result.SecretString) throw new Error(`secret ${secretId} has no string value`);
      return result.SecretString;
    });
    return value;
  };
}
