import { allHandlersFinished, CancellationScope, condition, isCancellation, setHandler } from '@temporalio/workflow';
import { getWorkerSettings, recordedValidation } from '../common/activity-options';
import { emitEvent, withWebhookEvents } from '../common/events';
import { runFailure } from '../common/run-failure';
import { customerSchemas } from '../common/schemas';
import type { WorkerSettings } from '../common/settings';
import { validateWith } from '../common/validation';
import { calls, pollsUntil, waitNudged } from './calls';
import { onboardFailureTypes, onboardRunFailures } from './failures';
import { cancelOnboardingUpdate, gdapApprovedSignal, onboardStatusQuery, relationshipAcceptedSignal } from './messages';
import { OnboardProgress } from './progress';
import {
  adminPasswordNote,
  cancelledOnboarding,
  gdapApprovalUrl,
  gdapDisplayName,
  invalidOnboardRequest,
  isBeforeCreation,
  notInTime,
  terminalOnboardSteps,
} from './rules';
import type {
  CreatedCustomer,
  CustomerCreation,
  OnboardCancelArgs,
  OnboardedCustomer,
  OnboardRequest,
  OnboardResult,
  ValidOnboardRequest,
} from './types';

/** RELATIONSHIP_ACCEPT_TIMEOUT and GDAP_APPROVAL_TIMEOUT when the recorded settings carry none. */
const DEFAULT_WAIT_MS = 30 * 86_400_000;

type GdapOutcome = NonNullable<OnboardResult['gdap']>;

/** Contract §3 (v3): a customer from nothing (or from an existing tenant) to ready to buy and to administer. */
export async function onboardCustomer(input: OnboardRequest): Promise<OnboardResult> {
  return withWebhookEvents(() => new OnboardingRun().run(input), {
    succeeded: () => 'customer.onboarded',
    failed: 'customer.onboarding-failed',
    cancelled: 'customer.onboarding-failed',
  });
}

/**
 * One onboarding: its state, its message handlers and one method per step. A cancel before the customer exists ends
 * it with nothing done; after, it stops waiting and says what exists. The customer's creation is never interrupted.
 */
class OnboardingRun {
  private readonly progress = new OnboardProgress();
  private cancelRequest?: OnboardCancelArgs;
  private readonly work = new CancellationScope();
  private relationshipNudges = 0;
  private gdapNudges = 0;

  constructor() {
    setHandler(onboardStatusQuery, () => this.progress.snapshot());
    setHandler(relationshipAcceptedSignal, () => void (this.relationshipNudges += 1));
    setHandler(gdapApprovedSignal, () => void (this.gdapNudges += 1));
    setHandler(cancelOnboardingUpdate, (args) => this.cancel(customerSchemas().OnboardCancelArgsSchema.parse(args)), {
      validator: (args) => {
        if (terminalOnboardSteps.includes(this.progress.step))
          throw new Error(`Onboarding already ${this.progress.step}`);
        const validation = validateWith(customerSchemas().OnboardCancelArgsSchema, args);
        if (!validation.ok) throw new Error(validation.problems.map((p) => `${p.field} ${p.problem}`).join('; '));
      },
      description:
        'Cancel: before the customer exists nothing is done; after, the run stops waiting and says what exists',
    });
  }

  async run(input: OnboardRequest): Promise<OnboardResult> {
    try {
      const request = await this.validate(input);
      const settings = await getWorkerSettings();
      const result = await this.work.run(() => this.onboard(request, settings));
      this.progress.setStep('completed');
      await condition(allHandlersFinished);
      return result;
    } catch (err) {
      const ended = isCancellation(err)
        ? cancelledOnboarding(this.cancelRequest?.reason ?? 'the run was cancelled', this.progress.snapshot())
        : runFailure(err, onboardRunFailures);
      this.progress.noteError(ended.message);
      this.progress.setStep(isCancellation(err) ? 'cancelled' : 'failed');
      throw ended;
    }
  }

  private async validate(input: OnboardRequest): Promise<ValidOnboardRequest> {
    const validation = await recordedValidation.normaliseOnboardRequest(input);
    if (!validation.ok) throw invalidOnboardRequest(validation.problems);
    return validation.request;
  }

  private async onboard(request: ValidOnboardRequest, settings: WorkerSettings): Promise<OnboardResult> {
    const { create, existingTenantId } = request.customer;
    const customer =
      create !== undefined
        ? await this.createCustomer(create)
        : await this.awaitRelationship(existingTenantId!, settings);
    const agreement = await this.confirmAgreement(request, customer.customerId);
    const qualification = await this.qualify(request, customer.customerId, settings);
    const gdap = await this.setUpGdap(request, customer.tenantId, settings);
    const created = 'recovered' in customer;
    return {
      requestId: request.requestId,
      customerId: customer.customerId,
      tenantId: customer.tenantId,
      domain: customer.domain,
      created,
      ...(created ? adminOf(customer) : {}),
      agreement,
      ...(qualification !== undefined ? { qualification } : {}),
      ...(gdap !== undefined ? { gdap } : {}),
    };
  }

  // ---- Steps ----

  /** Domain check, then the creation, exactly once and never interrupted (a cancel waits for its answer). */
  private async createCustomer(create: CustomerCreation): Promise<CreatedCustomer> {
    this.progress.setStep('checking-domain');
    const check = await calls.checkCustomerDomain.executeWithOptions(
      { summary: `Check that ${create.domainPrefix}.onmicrosoft.com is free` },
      [{ create }],
    );
    if (check.adopted !== undefined) {
      this.progress.setCustomer(check.adopted);
      return { ...check.adopted, recovered: true };
    }
    this.progress.setStep('creating-customer');
    const created = await CancellationScope.nonCancellable(() =>
      calls.createCustomerOnce.executeWithOptions({ summary: `Create customer ${check.domain} (exactly once)` }, [
        { create },
      ]),
    );
    this.progress.setCustomer(created);
    return created;
  }

  /** Existing tenant: the invitation, then its acceptance (a Partner Center event, else the poller). */
  private async awaitRelationship(tenantId: string, settings: WorkerSettings): Promise<OnboardedCustomer> {
    this.progress.setCustomer({ tenantId });
    const invitationUrl = await calls.requestResellerRelationship.executeWithOptions(
      { summary: `Ask for the invitation link of tenant ${tenantId}` },
      [],
    );
    this.progress.setInvitation(invitationUrl);
    this.progress.setStep('awaiting-relationship');
    emitEvent('customer.invitation', { tenantId, invitationUrl, status: this.progress.snapshot() });
    const timeoutMs = settings.relationshipAcceptTimeoutMs ?? DEFAULT_WAIT_MS;
    const accepted = await waitNudged(
      timeoutMs,
      () => this.relationshipNudges,
      (remainingMs) =>
        pollsUntil(settings, remainingMs).awaitResellerRelationship.executeWithOptions(
          { summary: `Wait until tenant ${tenantId} accepts the reseller relationship` },
          [{ tenantId }],
        ),
    );
    if (accepted === undefined)
      throw notInTime(
        onboardFailureTypes.relationshipNotAccepted,
        `Tenant ${tenantId} did not accept the reseller relationship`,
        timeoutMs,
        {
          tenantId,
          invitationUrl,
        },
      );
    this.progress.setCustomer(accepted);
    return accepted;
  }

  private async confirmAgreement(request: ValidOnboardRequest, customerId: string) {
    this.progress.setStep('confirming-agreement');
    return calls.confirmOnboardingAgreement.executeWithOptions(
      { summary: `Confirm customer ${customerId}'s Microsoft Customer Agreement` },
      [{ customerId, agreement: request.agreement }],
    );
  }

  /**
   * The qualification asked for, then its review awaited; Denied ends the run. The wait is bounded by
   * GDAP_APPROVAL_TIMEOUT: contract §2 names no setting of its own for it (docs/onboarding.md says why it shares).
   */
  private async qualify(request: ValidOnboardRequest, customerId: string, settings: WorkerSettings) {
    const { qualification } = request;
    if (qualification === undefined) return undefined;
    this.progress.setStep('qualifying');
    await calls.requestQualification.executeWithOptions(
      { summary: `Ask for the ${qualification} qualification of customer ${customerId}` },
      [{ customerId, qualification }],
    );
    const timeoutMs = settings.gdapApprovalTimeoutMs ?? DEFAULT_WAIT_MS;
    const reviewed = await waitNudged(
      timeoutMs,
      () => 0,
      (remainingMs) =>
        pollsUntil(settings, remainingMs).awaitQualificationReview.executeWithOptions(
          { summary: `Wait for the review of the ${qualification} qualification` },
          [{ customerId, qualification }],
        ),
    );
    if (reviewed === undefined)
      throw notInTime(
        onboardFailureTypes.qualificationRefused,
        `The ${qualification} qualification was not reviewed`,
        timeoutMs,
        {
          customerId,
          qualification,
        },
      );
    return reviewed;
  }

  /** GDAP: create, lock for approval, wait for the customer's approval, then each access assignment until active. */
  private async setUpGdap(
    request: ValidOnboardRequest,
    tenantId: string,
    settings: WorkerSettings,
  ): Promise<GdapOutcome | undefined> {
    const { gdap } = request;
    if (gdap === undefined) return undefined;
    this.progress.setStep('creating-gdap');
    const displayName = gdapDisplayName(request.requestId, gdap.displayName);
    const { relationshipId } = await calls.createGdapRelationship.executeWithOptions(
      { summary: `Create GDAP relationship "${displayName}" with tenant ${tenantId}` },
      [
        {
          displayName,
          duration: gdap.duration,
          customerTenantId: tenantId,
          roleIds: gdap.roles,
          autoExtend: gdap.autoExtend,
        },
      ],
    );
    this.progress.setGdapRelationship(relationshipId);
    await calls.lockGdapRelationship.executeWithOptions(
      { summary: `Lock GDAP relationship ${relationshipId} for the customer's approval` },
      [{ relationshipId }],
    );
    const active = await this.awaitGdapApproval(relationshipId, settings);
    this.progress.setStep('assigning-access');
    const accessAssignmentIds: string[] = [];
    for (const assignment of gdap.accessAssignments) {
      const assignmentId = await calls.createGdapAccessAssignment.executeWithOptions(
        { summary: `Give security group ${assignment.securityGroupId} ${assignment.roles.length} role(s)` },
        [{ relationshipId, securityGroupId: assignment.securityGroupId, roleIds: assignment.roles }],
      );
      accessAssignmentIds.push(assignmentId);
      await pollsUntil(settings, settings.orderVisibilityDeadlineMs).awaitGdapAccessAssignment.executeWithOptions(
        { summary: `Wait until access assignment ${assignmentId} is active` },
        [{ relationshipId, assignmentId }],
      );
    }
    return { relationshipId, status: 'active', endDateTime: active.endDateTime, accessAssignmentIds };
  }

  private async awaitGdapApproval(relationshipId: string, settings: WorkerSettings) {
    const approvalUrl = gdapApprovalUrl(relationshipId);
    this.progress.setGdapRelationship(relationshipId, approvalUrl);
    this.progress.setStep('awaiting-gdap-approval');
    emitEvent('customer.gdap-approval', { relationshipId, approvalUrl, status: this.progress.snapshot() });
    const timeoutMs = settings.gdapApprovalTimeoutMs ?? DEFAULT_WAIT_MS;
    const active = await waitNudged(
      timeoutMs,
      () => this.gdapNudges,
      (remainingMs) =>
        pollsUntil(settings, remainingMs).awaitGdapApproval.executeWithOptions(
          { summary: `Wait until the customer approves GDAP relationship ${relationshipId}` },
          [{ relationshipId }],
        ),
    );
    if (active === undefined)
      throw notInTime(
        onboardFailureTypes.gdapNotApproved,
        `GDAP relationship ${relationshipId} was not approved`,
        timeoutMs,
        {
          relationshipId,
          approvalUrl,
        },
      );
    return active;
  }

  // ---- Messages ----

  private cancel(args: OnboardCancelArgs) {
    this.cancelRequest ??= args;
    this.work.cancel();
    const status = this.progress.snapshot();
    return {
      step: status.step,
      ...(status.customerId !== undefined ? { customerId: status.customerId } : {}),
      ...(status.gdapRelationshipId !== undefined ? { gdapRelationshipId: status.gdapRelationshipId } : {}),
      nothingCreated: isBeforeCreation(status.step),
    };
  }
}

function adminOf(customer: CreatedCustomer | OnboardedCustomer) {
  const upn = 'adminUserPrincipalName' in customer ? customer.adminUserPrincipalName : undefined;
  return { ...(upn !== undefined ? { adminUserPrincipalName: upn } : {}), adminPasswordNote: adminPasswordNote(upn) };
}
