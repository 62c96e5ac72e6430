// The scenario module: step schema and validation, the runner, results. It knows labs only
// through the LabDriver interface; the Docker lab implements it in src/app.
export { parseScenarios, selectScenarios } from './suite.ts';
export type { Scenario, ScenarioSuite } from './suite.ts';
export { runScenarios, DEFAULT_ARTIFACTS_DIR } from './runner.ts';
export type { RunOptions } from './runner.ts';
export { createSession, runSteps, parseSteps, ScenarioSession, InvalidStepsError, StepFailedError } from './api.ts';
export type { SessionOptions } from './api.ts';
export type {
  LabDriver,
  NodeAction,
  FrameKind,
  NodeTunnels,
  PingRequest,
  PingResult,
  FloodRequest,
  FloodResult,
  ExecResult,
  ConnectProto,
  ConnectOutcome,
  ConnectRequest,
  ConnectResult,
  SpoofRequest,
  SpoofResult,
  PortChange,
  NodeChange,
  TrafficRequest,
  TrafficStats,
  TrafficHandle,
  ArtifactRequest,
  OpenLabRequest,
  ScenarioLab,
  OpenScenarioLab,
} from './driver.ts';
export { NODE_ACTION_KINDS, FRAME_KINDS, CONNECT_PROTOS, CONNECT_OUTCOMES } from './driver.ts';
export type { Reporter, RunInfo, StepInfo } from './reporter.ts';
export { exitCodeOf, flattenSteps, countSteps } from './results.ts';
export type { RunResult, ScenarioResult, StepResult, StepStatus, StepLocation, ArtifactsResult, StepCounts } from './results.ts';
export { STEP_KEYS, titleOf, budgetOf } from './steps.ts';
export type { Step, StepKind, StepInput } from './steps.ts';
export { CHECK_KINDS, DEFAULT_BUDGETS_MS } from './budgets.ts';
export type { CheckKind } from './budgets.ts';
export { parseDuration, formatDuration, formatElapsed } from './duration.ts';
export { modelFromPlan, neededTunnels, reachPairs } from './lab-model.ts';
export type { LabModel, TunnelEnd, ReachPair } from './lab-model.ts';
export { realClock } from './clock.ts';
export type { Clock } from './clock.ts';
