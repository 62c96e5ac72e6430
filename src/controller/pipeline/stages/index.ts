// The pipeline's stages in the order a frame meets them, the order of layout.ts. desiredFlows
// runs them in this order and puts together what they return.
import { acl } from './acl.ts';
import { classify } from './classify.ts';
import { distributedRouter } from './distributed-router.ts';
import type { Stage } from './context.ts';
import { flooding } from './flooding.ts';
import { l2Forwarding } from './l2-forwarding.ts';
import { l2Gateway } from './l2-gateway.ts';
import { portSecurity } from './port-security.ts';
import { replication } from './replication.ts';
import { router } from './router.ts';
import { tableMiss } from './table-miss.ts';

export const STAGES: readonly Stage[] = [
  classify,
  portSecurity,
  acl,
  l2Forwarding,
  flooding,
  replication,
  l2Gateway,
  router,
  distributedRouter,
  tableMiss,
];

export { nodeContext, type LocalPort, type NodeContext, type Stage, type StageOutput } from './context.ts';
export { remoteUnicast, remoteUnicastRecipe } from './l2-forwarding.ts';
