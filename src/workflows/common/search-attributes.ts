import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Contract §3: custom search attributes every purchase keeps current for operators. */
export const PcCustomerId = defineSearchAttributeKey('PcCustomerId', SearchAttributeType.KEYWORD);
export const PcStep = defineSearchAttributeKey('PcStep', SearchAttributeType.KEYWORD);
export const PcOrderIds = defineSearchAttributeKey('PcOrderIds', SearchAttributeType.KEYWORD_LIST);
export const PcSubscriptionIds = defineSearchAttributeKey('PcSubscriptionIds', SearchAttributeType.KEYWORD_LIST);
/** Contract §3 (v3), kept by subscription lifecycles: "renewals in the next 30 days with unused seats" is one query. */
export const PcRenewalDate = defineSearchAttributeKey('PcRenewalDate', SearchAttributeType.DATETIME);
export const PcUnusedSeats = defineSearchAttributeKey('PcUnusedSeats', SearchAttributeType.INT);
/** Contract §3 (v3), kept by onboardings: the GDAP relationship a Partner Center approval event names finds its run. */
export const PcGdapRelationshipId = defineSearchAttributeKey('PcGdapRelationshipId', SearchAttributeType.KEYWORD);

/** Registered by `npm start` and by the test run's dev server (`--search-attribute Name=Type`). */
export const searchAttributeKeys = [
  PcCustomerId,
  PcStep,
  PcOrderIds,
  PcSubscriptionIds,
  PcRenewalDate,
  PcUnusedSeats,
  PcGdapRelationshipId,
] as const;
