// Vitest global setup: the suite runs with a PATH that holds only the host programs a fresh
// Debian machine gets from scripts/bootstrap.sh, namely those listed in scripts/host-programs.txt
// and those of Debian's required packages (which every Debian system has). Any other program
// found on this machine is replaced by a stub that fails with exit 127, says which program it was
// on stderr, and records the call; at the end the run fails listing them. So a program used but
// not installed by the bootstrap fails the suite here too, even where the call's failure is
// swallowed, instead of only on a fresh machine (as ethtool once did).
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync, statSync, readdirSync, realpathSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile, readFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const HOST_PROGRAMS_FILE = join(projectRoot, 'scripts/host-programs.txt');

/** The table of scripts/host-programs.txt: program name to Debian package. */
export function declaredPrograms(text = readFileSync(HOST_PROGRAMS_FILE, 'utf8')): Map<string, string> {
  const table = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    const [program, pkg] = line.trim().split(/\s+/);
    if (!program || program.startsWith('#')) return;
    if (!pkg) throw new Error(`${HOST_PROGRAMS_FILE}:${i + 1}: ${program} has no Debian package`);
    if (table.has(program)) throw new Error(`${HOST_PROGRAMS_FILE}:${i + 1}: ${program} is listed twice`);
    table.set(program, pkg);
  });
  return table;
}

const dpkgQuery = (args: string[]) => execFileSync('dpkg-query', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

/** The installed packages that every Debian system has (Priority: required). */
function requiredPackages(): string[] {
  return dpkgQuery(['-W', '-f', '${Package}\t${Priority}\t${Essential}\t${db:Status-Status}\n'])
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([, priority, essential, status]) => status === 'installed' && (priority === 'required' || essential === 'yes'))
    .map(([pkg]) => pkg!);
}

/** The files of installed packages, links resolved: a program reached through a link (merged
 *  /usr, update-alternatives: awk is mawk, ovs-vswitchd lives in /usr/lib) is known by its target. */
function filesOf(packages: string[]): Set<string> {
  const files = new Set<string>();
  for (const path of dpkgQuery(['-L', ...packages]).split('\n')) {
    if (!path.startsWith('/')) continue;
    try {
      files.add(realpathSync(path));
    } catch {
      // listed but gone (a conffile removed by hand)
    }
  }
  return files;
}

function isInstalled(pkg: string): boolean {
  try {
    return dpkgQuery(['-W', '-f', '${db:Status-Status}', pkg]) === 'installed';
  } catch {
    return false;
  }
}

/** The first executable of each name along `path`, as a shell would find it. */
function executables(path: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of path.split(':').filter(Boolean)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (found.has(name)) continue;
      const file = join(dir, name);
      try {
        const st = statSync(file);
        if (st.isFile() && st.mode & 0o111) found.set(name, file);
      } catch {
        // a dangling link
      }
    }
  }
  return found;
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (!existsSync('/usr/bin/dpkg-query')) {
    console.warn('host-path: not a Debian system (no dpkg-query): the suite runs with the full PATH');
    return undefined;
  }
  const declared = declaredPrograms();
  const onPath = executables(process.env.PATH ?? '');
  // Where the package of a program of the table is installed, it must hold a program of that
  // name: a wrong package name would only show on a fresh machine. A missing one is only warned of, so
  // that unit tests run without the bootstrap; the tests that need it fail naming it.
  const missing = [...declared].filter(([program]) => !onPath.has(program));
  if (missing.length > 0) {
    console.warn(`host-path: not installed: ${missing.map(([p, pkg]) => `${p} (${pkg})`).join(', ')}; scripts/bootstrap.sh installs them`);
  }
  for (const [program, pkg] of declared) {
    // By the names the package installs (Graphviz's dot is a link to a program of another name).
    if (
      isInstalled(pkg) &&
      !dpkgQuery(['-L', pkg])
        .split('\n')
        .some((file) => basename(file) === program)
    ) {
      throw new Error(`${HOST_PROGRAMS_FILE}: the Debian package ${pkg} has no program ${program}`);
    }
  }
  const required = filesOf(requiredPackages());
  const allowed = (name: string, file: string) => declared.has(name) || required.has(realpathSync(file));

  const dir = await mkdtemp(join(tmpdir(), 'nvlab-host-path-'));
  const log = join(dir, 'undeclared.log');
  const stub = join(dir, '.stub');
  await writeFile(
    stub,
    `#!/bin/sh\n# ${basename(HOST_PROGRAMS_FILE)} does not list this program: a fresh machine may not have it.\n` +
      `echo "\${0##*/}" >> '${log}'\n` +
      `echo "nvlab tests: \${0##*/} is not in scripts/host-programs.txt, so scripts/bootstrap.sh does not install it" >&2\n` +
      'exit 127\n',
  );
  await chmod(stub, 0o755);
  await mkdir(join(dir, 'bin'));
  for (const [name, file] of onPath) await symlink(allowed(name, file) ? file : stub, join(dir, 'bin', name));
  // Node runs the suite: it and its tools are whatever runs it.
  for (const name of ['node', 'npm', 'npx']) {
    const file = join(dirname(process.execPath), name);
    await rm(join(dir, 'bin', name), { force: true });
    if (existsSync(file)) await symlink(file, join(dir, 'bin', name));
  }
  process.env.PATH = join(dir, 'bin');

  return async () => {
    const called = existsSync(log) ? [...new Set((await readFile(log, 'utf8')).split('\n').filter(Boolean))] : [];
    await rm(dir, { recursive: true, force: true });
    if (called.length > 0) {
      throw new Error(
        `the tests ran ${called.join(', ')}, which scripts/bootstrap.sh does not install: ` +
          `add each with its Debian package to scripts/host-programs.txt`,
      );
    }
  };
}
