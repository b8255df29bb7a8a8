import { log, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { PcCustomerId, PcGdapRelationshipId, PcStep } from '../common/search-attributes';
import { describeOnboarding } from './rules';
import type { OnboardStatus, OnboardStep } from './types';

/**
 * Where an onboarding stands, as its status query answers: every fact is also set where operators look for it
 * (search attributes, the Temporal UI's current details, the log). No credential ever reaches it.
 */
export class OnboardProgress {
  private readonly status: OnboardStatus = { step: 'validating', updatedAt: new Date().toISOString() };

  get step(): OnboardStep {
    return this.status.step;
  }

  snapshot(): OnboardStatus {
    return { ...this.status };
  }

  /** The customer's tenant is known (its customer id once it is a customer of ours). */
  setCustomer(customer: { customerId?: string; tenantId: string }): void {
    if (customer.customerId !== undefined) this.status.customerId = customer.customerId;
    this.status.tenantId = customer.tenantId;
    upsertSearchAttributes([{ key: PcCustomerId, value: customer.customerId ?? customer.tenantId }]);
    this.touch();
  }

  setInvitation(invitationUrl: string): void {
    this.status.invitationUrl = invitationUrl;
    this.touch();
  }

  setGdapRelationship(relationshipId: string, approvalUrl?: string): void {
    this.status.gdapRelationshipId = relationshipId;
    upsertSearchAttributes([{ key: PcGdapRelationshipId, value: relationshipId }]);
    if (approvalUrl !== undefined) this.status.gdapApprovalUrl = approvalUrl;
    this.touch();
  }

  setStep(step: OnboardStep): void {
    this.status.step = step;
    upsertSearchAttributes([{ key: PcStep, value: step }]);
    this.touch();
    log.info('onboarding step', { step, customerId: this.status.customerId });
  }

  noteError(message: string): void {
    this.status.lastError = message;
    this.touch();
  }

  private touch(): void {
    this.status.updatedAt = new Date().toISOString();
    setCurrentDetails(describeOnboarding(this.status));
  }
}
