import { Logger } from '@aws-lambda-powertools/logger';

// One logger for every handler (Powertools reads POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL). Log ids,
// counts and masked addresses only: customer names and email addresses stay out of logs.
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'clm-autopilot' });
