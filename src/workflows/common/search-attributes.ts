import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Contract §3: custom search attributes every purchase keeps current for operators. */
export const PcCustomerId = defineSearchAttributeKey('PcCustomerId', SearchAttributeType.KEYWORD);
export const PcStep = defineSearchAttributeKey('PcStep', SearchAttributeType.KEYWORD);
export const PcOrderIds = defineSearchAttributeKey('PcOrderIds', SearchAttributeType.KEYWORD_LIST);
export const PcSubscriptionIds = defineSearchAttributeKey('PcSubscriptionIds', SearchAttributeType.KEYWORD_LIST);

/** Registered by `npm start` and by the test run's dev server (`--search-attribute Name=Type`). */
export const searchAttributeKeys = [PcCustomerId, PcStep, PcOrderIds, PcSubscriptionIds] as const;
