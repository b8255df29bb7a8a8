import type { GdapClient, PartnerCenterClient, TokenMode } from '../../partner-center';

export interface CustomerActivityDeps {
  partnerCenter: PartnerCenterClient;
  /** GDAP relationships on Microsoft Graph (the partner's tenant); without it an onboarding with `gdap` fails saying so. */
  gdap?: GdapClient;
  tokenMode: TokenMode;
}

/** The worker's GDAP client, or the failure saying it has none. */
export function gdapClientOf(deps: Pick<CustomerActivityDeps, 'gdap'>): GdapClient {
  if (deps.gdap === undefined)
    throw new Error('This worker has no Microsoft Graph client for GDAP: it cannot create GDAP relationships');
  return deps.gdap;
}
