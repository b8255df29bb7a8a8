import { ApplicationFailure } from '@temporalio/common';
import { isPartnerCenterError } from '../../partner-center';
import { internalFailureTypes } from '../../workflows/common/failure-types';
import type { AgreementConfirmation, ValidOnboardRequest } from '../../workflows/customer/types';
import { toActivityFailure } from '../common/failures';
import { changeOptions, readOptions } from '../common/request-ids';
import { MCA } from '../purchase/agreement';
import type { CustomerActivityDeps } from './deps';

/** Partner Center's "agreement already confirmed" (PartnerConfirmedAgreementAlreadyExists): the fact is on record. */
export const AGREEMENT_ALREADY_CONFIRMED_CODE = 600061;

/**
 * Confirms the new customer's Microsoft Customer Agreement with the current template (`GET /v1/agreements`). A
 * confirmation already on record (600061, a retried attempt or an earlier onboarding) is success.
 */
export async function confirmOnboardingAgreement(
  deps: Pick<CustomerActivityDeps, 'partnerCenter'>,
  input: { customerId: string; agreement: ValidOnboardRequest['agreement'] },
): Promise<AgreementConfirmation> {
  const pc = deps.partnerCenter;
  const { firstName, lastName, email, phoneNumber, dateAgreed } = input.agreement;
  const agreed = dateAgreed ?? new Date().toISOString();
  try {
    const [template] = await pc.listAgreementTemplates(MCA, readOptions());
    if (template === undefined)
      throw ApplicationFailure.create({
        type: internalFailureTypes.partnerCenter,
        message: `Partner Center lists no ${MCA} template to confirm the agreement with`,
        nonRetryable: true,
      });
    try {
      const confirmed = await pc.createCustomerAgreement(
        input.customerId,
        {
          primaryContact: { firstName, lastName, email, ...(phoneNumber !== undefined ? { phoneNumber } : {}) },
          templateId: template.templateId,
          dateAgreed: agreed,
          type: MCA,
          ...(template.agreementLink !== undefined ? { agreementLink: template.agreementLink } : {}),
        },
        changeOptions('confirm-agreement'),
      );
      return { templateId: confirmed.templateId ?? template.templateId, dateAgreed: confirmed.dateAgreed ?? agreed };
    } catch (err) {
      if (!(isPartnerCenterError(err) && Number(err.code) === AGREEMENT_ALREADY_CONFIRMED_CODE)) throw err;
      const onRecord = (await pc.listCustomerAgreements(input.customerId, MCA, readOptions()))[0];
      return { templateId: onRecord?.templateId ?? template.templateId, dateAgreed: onRecord?.dateAgreed ?? agreed };
    }
  } catch (err) {
    throw toActivityFailure(err, internalFailureTypes.partnerCenter);
  }
}
