// The accounts API's answers as the page reads them (types only: the bundle leaves TypeBox out).
export type { AccessMatrix, AccountWithPassword as AccountWithPasswordView } from '../../../../firmware/admin/api/accounts-schema.ts';
