// Kernel same-page merging (KSM) on the host. Nodes offer their OVS daemons' memory to it (the
// image's `mergeable`): every ovs-vswitchd on the userspace datapath fills the same 9 MB of flow
// caches at start, and KSM keeps one copy of each identical page. It only scans memory offered
// to it, so on a host where nothing else offers any, turning it on costs nothing until a lab runs.
import { readFile, writeFile } from 'node:fs/promises';

const KSM = '/sys/kernel/mm/ksm';
/** Pages ksmd looks at per wake-up, every 20 ms (the kernel's default period): 50,000 pages a
 *  second, so that merging keeps up with a lab of hundreds of nodes booting (about 3,000 pages
 *  each), where the kernel's default of 100 per wake-up would take minutes per pass. */
export const PAGES_TO_SCAN = 1000;

/**
 * Turns KSM on where the kernel has it and it is off, at a rate that keeps up with a lab booting;
 * a host that runs it already keeps its own settings. Returns what it did, for the deploy's
 * progress lines, or undefined when it changed nothing (no KSM, already on, or no permission:
 * nodes then cost their full size).
 */
export async function enableMemoryMerging(): Promise<string | undefined> {
  try {
    if ((await readFile(`${KSM}/run`, 'utf8')).trim() !== '0') return undefined;
    await writeFile(`${KSM}/pages_to_scan`, String(PAGES_TO_SCAN));
    await writeFile(`${KSM}/run`, '1');
    return `kernel same-page merging (KSM) turned on (${KSM}/run), ${PAGES_TO_SCAN} pages per scan`;
  } catch {
    return undefined;
  }
}
