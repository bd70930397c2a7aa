import type { Migration } from '../migrate.ts';

export const m009: Migration = {
  version: 9,
  name: 'site reports and access requests',
  // From the block page. A report names the site (never for a restricted list: name is NULL),
  // the device and when the page was shown, which links it to its block event in the query
  // log. Access requests are staff's, read later by the change-request flow.
  up: `
    CREATE TABLE site_reports (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      blocked_at TEXT NOT NULL,
      network_id TEXT NOT NULL,
      mac TEXT,
      address TEXT NOT NULL,
      name TEXT,
      category TEXT,
      verdict TEXT NOT NULL CHECK (verdict IN ('blocked', 'restricted')),
      kind TEXT NOT NULL CHECK (kind IN ('should-not-be-blocked', 'should-be-blocked')),
      comment TEXT NOT NULL CHECK (length(comment) <= 500),
      status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'reviewed')),
      CHECK (verdict = 'blocked' OR name IS NULL)
    ) STRICT;
    CREATE INDEX site_reports_by_at ON site_reports (at);
    CREATE TABLE access_requests (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      network_id TEXT NOT NULL,
      mac TEXT,
      address TEXT NOT NULL,
      name TEXT NOT NULL,
      category TEXT,
      reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'granted', 'refused'))
    ) STRICT;
    CREATE INDEX access_requests_by_at ON access_requests (at);
  `,
};
