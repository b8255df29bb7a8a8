import { bindActivities } from '../common/bind-activities';
import { confirmOnboardingAgreement } from './agreement';
import {
  awaitResellerRelationship,
  checkCustomerDomain,
  createCustomerOnce,
  requestResellerRelationship,
} from './customer';
import type { CustomerActivityDeps } from './deps';
import {
  awaitGdapAccessAssignment,
  awaitGdapApproval,
  createGdapAccessAssignment,
  createGdapRelationship,
  lockGdapRelationship,
} from './gdap';
import { awaitQualificationReview, requestQualification } from './qualification';
import { findWaitingOnboardings } from './waiting';

export type { CustomerActivityDeps } from './deps';

/** Activities of `customer` (onboarding), each in the file of its step, bound to the Partner Center and GDAP clients. */
export function createCustomerActivities(deps: CustomerActivityDeps) {
  return bindActivities(deps, {
    checkCustomerDomain,
    createCustomerOnce,
    requestResellerRelationship,
    awaitResellerRelationship,
    confirmOnboardingAgreement,
    requestQualification,
    awaitQualificationReview,
    createGdapRelationship,
    lockGdapRelationship,
    awaitGdapApproval,
    createGdapAccessAssignment,
    awaitGdapAccessAssignment,
    findWaitingOnboardings,
  });
}
