/** A 403 in a customer's tenant: the partner lacks the GDAP role (or the app the Graph permission) the call needs. */
import { PartnerCenterUnauthorizedError, type PartnerCenterErrorDetails } from '../errors';

/** What a call needs in the customer's tenant: the GDAP role and the app's Microsoft Graph permission. */
export interface TenantRight {
  gdapRole: string;
  graphPermission: string;
}

const READ_RIGHT: TenantRight = {
  gdapRole: 'Directory Readers (or License Administrator)',
  graphPermission: 'Directory.Read.All',
};
const ASSIGN_RIGHT: TenantRight = {
  gdapRole: 'License Administrator (or User Administrator)',
  graphPermission: 'LicenseAssignment.ReadWrite.All',
};

/**
 * Graph refused a call in a customer's tenant (403): never retried, its message names the tenant, the call and the
 * right to grant — never a token. `kind` stays `unauthorized`, so activities fail it as `Unauthorized`.
 */
export class CustomerTenantForbiddenError extends PartnerCenterUnauthorizedError {
  readonly tenantId: string;
  readonly missingRight: TenantRight;

  constructor(details: PartnerCenterErrorDetails, { tenantId, route }: { tenantId: string; route: string }) {
    const right = route.endsWith('/assignLicense') ? ASSIGN_RIGHT : READ_RIGHT;
    super(
      details,
      `Microsoft Graph HTTP 403 for ${route} in the customer's tenant ${tenantId}: the partner has no GDAP role there that allows it. ` +
        `Grant ${right.gdapRole} through a GDAP relationship with this customer (an access assignment for a security group the app's service principal or the App+User user is in), ` +
        `and the app the Microsoft Graph permission ${right.graphPermission}, admin-consented (Graph said: ${details.description})`,
    );
    this.tenantId = tenantId;
    this.missingRight = right;
  }
}
