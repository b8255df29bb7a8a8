import { defineQuery } from '@temporalio/workflow';
import type { LicenceStatus } from './types';

/** Messages of `assignLicences` (contract §3), shared by the workflow and its clients. */
export const licenceStatusQuery = defineQuery<LicenceStatus>('status');
