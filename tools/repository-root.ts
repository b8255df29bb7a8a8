import { basename, dirname } from 'node:path';

/** Where `npm run build:tools` compiles the tools (tools/tsconfig.json's outDir): lib-tools/tools/… beside lib-tools/src/…. */
const TOOLS_BUILD_DIR = 'lib-tools';

const toolsParent = dirname(__dirname);

/** The repository's root, whether the tools run from their sources (Jest) or from their build (npm scripts). */
export const REPOSITORY_ROOT = basename(toolsParent) === TOOLS_BUILD_DIR ? dirname(toolsParent) : toolsParent;
