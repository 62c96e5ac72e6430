// The model every layer shares: the domain's vocabulary, address helpers, the northbound
// resources' schemas, the logical state the controller computes from, and the naming rules.
// Depends on zod alone, so the controller member's bundle carries it whole.
export * from './vocabulary.ts';
export * from './ipv4.ts';
export * from './mac.ts';
export * from './fields.ts';
export * from './resources.ts';
export * from './router-routes.ts';
export * from './logical-state.ts';
export * from './naming.ts';
export * from './api-paths.ts';
export * from './api-auth.ts';
export * from './northbound.ts';
export * from './batch.ts';
export * from './trace.ts';
export * from './status.ts';
export * from './connectivity.ts';
export * from './gateways.ts';
