import type { Preset } from './preset';

// Microsoft Partner Center: the insights datasets (one row per subscription and month), the analytics API's
// licence deployment (JSON under `Value`) and the subscription list the PowerShell module exports.

export const partnerCenterInsightsSeats: Preset = {
  name: 'partner-center-insights-seats',
  title: 'Partner Center insights: seats and subscriptions dataset',
  recognisedBy: ['PGAMpnId', 'TotalSoldSeats', 'TotalAssignedSeats'],
  columns: {
    CustomerTenantId: 'customer_id',
    CustomerName: 'customer_name',
    SubscriptionId: 'subscription_id',
    Product: 'product',
    ReportingProductName: 'product_name',
    TotalSoldSeats: 'licenses_purchased',
    TotalAssignedSeats: 'licenses_assigned',
    SubscriptionStartDate: 'term_start',
    SubscriptionEndDate: 'term_end',
    IsAutoRenew: 'auto_renew',
  },
  dateFormat: 'MM/DD/YYYY',
  latestBy: 'month',
  needs: [],
};

export const partnerCenterInsightsUsage: Preset = {
  name: 'partner-center-insights-usage',
  title: 'Partner Center insights: usage dataset (available, assigned and active seats)',
  recognisedBy: ['AvailableSeats', 'AssignedSeats', 'ActiveSeats', 'ActiveUsagePercent'],
  columns: {
    CustomerTenantId: 'customer_id',
    CustomerName: 'customer_name',
    SubscriptionId: 'subscription_id',
    SKU: 'product',
    AvailableSeats: 'licenses_purchased',
    AssignedSeats: 'licenses_assigned',
    ActiveSeats: 'active_users',
    SubscriptionStartDate: 'term_start',
    SubscriptionEndDate: 'term_end',
  },
  dateFormat: 'MM/DD/YYYY',
  latestBy: 'Month',
  needs: [],
};

export const partnerCenterLicenseDeployment: Preset = {
  name: 'partner-center-license-deployment',
  title: 'Partner Center analytics API: licence deployment (JSON)',
  recognisedBy: ['processedDateTime', 'serviceCode', 'licensesDeployed', 'licensesSold'],
  columns: {
    customerTenantId: 'customer_id',
    customerName: 'customer_name',
    productId: 'product',
    productName: 'product_name',
    licensesSold: 'licenses_purchased',
    licensesDeployed: 'licenses_assigned',
  },
  recordsPath: 'Value',
  needs: ['term_start'],
};

export const partnerCenterSubscriptions: Preset = {
  name: 'partner-center-subscriptions',
  title: 'Partner Center subscription list (PowerShell Get-PartnerCustomerSubscription | Export-Csv)',
  recognisedBy: ['OfferId', 'OfferName', 'CommitmentEndDate', 'AutoRenewEnabled'],
  columns: {
    SubscriptionId: 'subscription_id',
    OfferId: 'product',
    OfferName: 'product_name',
    Quantity: 'licenses_purchased',
    EffectiveStartDate: 'term_start',
    CommitmentEndDate: 'term_end',
    AutoRenewEnabled: 'auto_renew',
  },
  copies: { licenses_assigned: 'licenses_purchased' },
  needs: ['customer_id', 'customer_name'],
};
