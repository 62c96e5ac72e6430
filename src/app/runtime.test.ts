import { describe, expect, test, vi } from 'vitest';
import { createRuntime, DEFAULT_RUNTIME } from './runtime.ts';
import { runtimes } from '../runtime/registry.ts';

// Stands in for the Docker client, and tells whether anything loaded it.
const docker = vi.hoisted(() => ({ loaded: false }));
vi.mock('dockerode', () => {
  docker.loaded = true;
  return { default: class {} };
});

describe('runtimes by name', () => {
  test('docker is registered and the default; nothing loads its client until a runtime is made', () => {
    expect(runtimes.names()).toEqual(['docker']);
    expect(DEFAULT_RUNTIME).toBe('docker');
    expect(docker.loaded).toBe(false);
  });

  test('an unknown name is an error listing the known ones', async () => {
    await expect(createRuntime('podman')).rejects.toThrow("unknown runtime 'podman' (known: docker)");
  });

  test('the default runtime is made on demand', async () => {
    expect((await createRuntime()).kind).toBe('docker');
    expect(docker.loaded).toBe(true);
  });
});
