import type { Client } from '@temporalio/client';
import type { PartnerCenterClient } from '../partner-center';
import type { Output } from './output';

/** What a command needs once its command line is known to be good. */
export interface Context {
  client: Client;
  taskQueue: string;
  out: Output;
  /** Partner Center, connected on first use; undefined when its settings are not given (only adoption needs it). */
  partnerCenter?: () => PartnerCenterClient;
}

/** A checked command line, ready to run: usage errors are thrown while planning, before Temporal is contacted. */
export type Action = (ctx: Context) => Promise<void>;
