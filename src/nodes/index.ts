// Node kinds: one per role, each turning its part of the plan into runtime node specs, with
// optional lifecycle hooks (kind.ts); the registry of every kind, in deploy order (kinds.ts).
export { nodeKinds } from './kinds.ts';
export { NodeKindRegistry, type PreparedKinds } from './registry.ts';
export type { NodeKind } from './kind.ts';
export { nodeLabels } from './labels.ts';
export { membersOf, type ControllerPrepared } from './controller/kind.ts';
export { tlsEnv, memberSecretFiles, transportNodeSecretFiles, type LabSecrets, type FilesByNode } from './secrets.ts';
export type { ControllerAssets } from './controller/assets.ts';
