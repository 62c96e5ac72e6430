// The controller's store and northbound API (the pipeline lives in ./pipeline).
export * from './store/index.ts';
export * from './api/index.ts';
