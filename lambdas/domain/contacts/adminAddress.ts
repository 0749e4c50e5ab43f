// Kept apart from the contacts row schema, so the send-time functions that ask these questions carry no zod.

/**
 * The address key of a customer whose admin nobody names (its `adminEmail` is empty): not an address, so nothing
 * is sent to it, and one of its own, so such customers never share send days or suppressions.
 */
export function noAdminAddress(customerId: string): string {
  return `no-admin#${customerId}`;
}

/** Whether a customer can be emailed at all: some row or the directory names its admin. */
export function hasAdmin(state: { adminEmail: string }): boolean {
  return state.adminEmail !== '';
}
