const sdk = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/lib-dynamodb',
  '@aws-sdk/client-scheduler',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-sesv2',
];
for (const m of sdk) await import(m);
const t1 = performance.now();
await import(process.argv[2]);
console.log((performance.now() - t1).toFixed(1));
