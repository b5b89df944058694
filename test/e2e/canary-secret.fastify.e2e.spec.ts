import { describeCanarySecret } from './canary-secret.scenario';

describeCanarySecret('fastify');
