import { chmod, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { layersOf, writeIntoLayer, type Layers } from './node-files.ts';

const modeOf = async (path: string) => (await stat(path)).mode & 0o7777;

describe('node files written into a container layer', () => {
  let root: string;
  let layers: Layers;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'nvlab-layers-'));
    layers = { upper: join(root, 'upper'), lowers: [join(root, 'init'), join(root, 'image')] };
    await mkdir(layers.upper);
    await mkdir(join(root, 'init'));
    // The image has /etc (0755) and /opt (0711): the layer's copies must match.
    await mkdir(join(root, 'image/etc'), { recursive: true });
    await mkdir(join(root, 'image/opt'), { recursive: true });
    await chmod(join(root, 'image/opt'), 0o711);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('writes each file with its mode, directories of private files 0700, the image’s own as the image has them', async () => {
    await writeIntoLayer(layers, [
      { path: '/etc/nvlab/pki/key.pem', content: 'k', mode: 0o600 },
      { path: '/etc/nvlab/pki/cert.pem', content: Buffer.from('c'), mode: 0o600 },
      { path: '/opt/nvlab/console/index.html', content: '<html>' },
    ]);
    const at = (p: string) => join(layers.upper, p);
    expect(await readFile(at('etc/nvlab/pki/key.pem'), 'utf8')).toBe('k');
    expect(await readFile(at('etc/nvlab/pki/cert.pem'), 'utf8')).toBe('c');
    expect(await modeOf(at('etc/nvlab/pki/key.pem'))).toBe(0o600);
    expect(await modeOf(at('opt/nvlab/console/index.html'))).toBe(0o644);
    expect(await modeOf(at('etc/nvlab/pki'))).toBe(0o700);
    expect(await modeOf(at('etc/nvlab'))).toBe(0o755);
    expect(await modeOf(at('etc'))).toBe(await modeOf(join(root, 'image/etc')));
    expect(await modeOf(at('opt'))).toBe(0o711);
  });

  it('refuses a layer that is not there (the caller then hands the files to the engine)', async () => {
    await expect(writeIntoLayer({ upper: join(root, 'missing'), lowers: [] }, [{ path: '/a/b', content: 'x' }])).rejects.toThrow(
      /no layer/,
    );
  });

  it('finds the layers of an overlay2 container only', () => {
    const data = { UpperDir: '/d/u/diff', LowerDir: '/d/u-init/diff:/d/i/diff' };
    expect(layersOf({ GraphDriver: { Name: 'overlay2', Data: data } })).toEqual({
      upper: '/d/u/diff',
      lowers: ['/d/u-init/diff', '/d/i/diff'],
    });
    expect(layersOf({ GraphDriver: { Name: 'btrfs', Data: data } })).toBeUndefined();
    expect(layersOf({})).toBeUndefined();
  });
});
