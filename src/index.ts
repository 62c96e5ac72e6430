// Public API of nvlab. Every export a user may rely on goes through here.
export * from './model/index.ts';
export * from './util/errors.ts';
export * from './topology/index.ts';
export * as ovsdb from './ovsdb/index.ts';
export * as openflow from './openflow/index.ts';
export * from './scenario/index.ts';
export * from './reporters/index.ts';
