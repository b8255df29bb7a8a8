/**
 * The package's public surface for upstream TypeScript systems: start and follow purchases, subscription changes
 * and reconciliations, with the schemas, messages and failure types of each workflow (docs/reference.md).
 */
export * from './client';
