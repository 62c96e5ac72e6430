import { fileURLToPath } from 'node:url';

/** The repository root: the Dockerfile, image/, scripts/ and topologies/ live there. */
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
