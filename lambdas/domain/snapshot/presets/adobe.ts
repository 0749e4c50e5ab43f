import type { Preset } from './preset';

// Adobe VIP: the VIP Marketplace API's subscriptions of one customer (JSON under `items`), and a distributor's
// asset report (CloudBlue Connect), one asset per subscription, `;`-separated, `-` for empty.

export const adobeVipSubscriptions: Preset = {
  name: 'adobe-vip-subscriptions',
  title: 'Adobe VIP Marketplace API: customer subscriptions (JSON)',
  recognisedBy: ['offerId', 'currentQuantity', 'usedQuantity', 'renewalDate'],
  columns: {
    subscriptionId: 'subscription_id',
    offerId: 'product',
    currentQuantity: 'licenses_purchased',
    usedQuantity: 'licenses_assigned',
    renewalDate: 'term_end',
    'autoRenewal.enabled': 'auto_renew',
  },
  recordsPath: 'items',
  termStartFromEnd: true,
  needs: ['customer_id', 'customer_name'],
};

export const distributorAdobeAssets: Preset = {
  name: 'distributor-adobe-assets',
  title: 'Distributor Adobe asset report (CloudBlue Connect)',
  recognisedBy: ['Asset Id', 'Adobe VIP Number', 'Auto Renewal Status', 'Seats'],
  columns: {
    'Customer Id': 'customer_id',
    'Customer Name': 'customer_name',
    'Asset Id': 'subscription_id',
    'Product Id': 'product',
    Seats: 'licenses_purchased',
    'Renewal Date': 'term_end',
    'Auto Renewal Status': 'auto_renew',
    'Adobe User Email': 'admin_email',
  },
  copies: { licenses_assigned: 'licenses_purchased' },
  termStartFromEnd: true,
  needs: [],
};
