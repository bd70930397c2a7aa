// state.db's schema history, one file per migration in migrations/. Append only: a released
// migration is never edited, because installed gateways have already run it; fix mistakes with a
// new migration (the next number, a new file, one line here).
import type { Migration } from './migrate.ts';
import { m001 } from './migrations/001-devices.ts';
import { m002 } from './migrations/002-audit-log.ts';
import { m003 } from './migrations/003-leases-network-events-device-detail.ts';
import { m004 } from './migrations/004-alerts.ts';
import { m005 } from './migrations/005-filter-self-test-history.ts';
import { m006 } from './migrations/006-per-device-bandwidth-caps.ts';
import { m007 } from './migrations/007-admin-accounts-and-sessions.ts';
import { m008 } from './migrations/008-visitors-vouchers-and-code-attempts.ts';
import { m009 } from './migrations/009-site-reports-and-access-requests.ts';
import { m010 } from './migrations/010-visitor-registration-and-sponsor-codes.ts';
import { m011 } from './migrations/011-aup-acceptances.ts';
import { m012 } from './migrations/012-voucher-groups.ts';
import { m013 } from './migrations/013-device-owner.ts';
import { m014 } from './migrations/014-weekly-reviews.ts';
import { m015 } from './migrations/015-incident-log.ts';
import { m016 } from './migrations/016-annual-review-and-external-tests.ts';
import { m017 } from './migrations/017-change-requests.ts';
import { m018 } from './migrations/018-investigations.ts';

export const STATE_MIGRATIONS: readonly Migration[] = [
  m001,
  m002,
  m003,
  m004,
  m005,
  m006,
  m007,
  m008,
  m009,
  m010,
  m011,
  m012,
  m013,
  m014,
  m015,
  m016,
  m017,
  m018,
];
