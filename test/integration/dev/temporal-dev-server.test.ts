import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeKeys } from '../../../src/workflows/common/search-attributes';
import { testEnv } from '../../support/temporal';

const { IndexedValueType } = temporal.api.enums.v1;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe("the run's Temporal dev server", () => {
  it('is the real server with the contract search attributes registered', async () => {
    const info = await env.connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toMatch(/^1\.\d+\.\d+/);
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const expected: Record<string, number> = {
      PcCustomerId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      PcStep: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      PcOrderIds: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
      PcSubscriptionIds: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
      PcRenewalDate: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
      PcUnusedSeats: IndexedValueType.INDEXED_VALUE_TYPE_INT,
      // The onboarding's GDAP relationship, by which Partner Center's approval event finds the run waiting on it.
      PcGdapRelationshipId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    };
    expect(searchAttributeKeys.map((key) => key.name).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, type] of Object.entries(expected)) expect(customAttributes?.[name]).toBe(type);
  });
});
