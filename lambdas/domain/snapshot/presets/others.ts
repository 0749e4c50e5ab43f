import type { Preset } from './preset';

// Dassault DSLS licence usage (`getLicenseUsage -short -csv`: one feature and licence model a row) and the Pax8
// API's subscriptions (JSON under `content`, the commitment end nested in `commitmentTerm`).

export const dassaultDslsUsage: Preset = {
  name: 'dassault-dsls-usage',
  title: 'Dassault DSLS licence usage (getLicenseUsage -short -csv)',
  recognisedBy: ['EditorId', 'Feature', 'Model', 'Inuse'],
  columns: {
    'Customer ID': 'customer_id',
    Feature: 'product',
    Count: 'licenses_purchased',
    Inuse: 'licenses_assigned',
    'Expiration Date': 'term_end',
  },
  // One feature on two licence models is two lines.
  joins: { subscription_id: ['Feature', 'Model'] },
  termStartFromEnd: true,
  needs: ['customer_name'],
};

export const pax8Subscriptions: Preset = {
  name: 'pax8-subscriptions',
  title: 'Pax8 API: subscriptions (JSON)',
  recognisedBy: ['companyId', 'productId', 'billingTerm', 'commitmentTerm.endDate'],
  columns: {
    companyId: 'customer_id',
    id: 'subscription_id',
    productId: 'product',
    quantity: 'licenses_purchased',
    startDate: 'term_start',
    // endDate is null while a subscription is active; a commitment's end is the renewal date.
    'commitmentTerm.endDate': 'term_end',
  },
  recordsPath: 'content',
  copies: { licenses_assigned: 'licenses_purchased' },
  needs: ['customer_name'],
};
