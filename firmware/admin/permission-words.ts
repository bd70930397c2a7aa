// Each permission in the words a governor reading a printed record understands (the access
// matrix, the annual pack). No imports but a type, so the web UI may bundle it as it is.
import type { Permission } from './roles.ts';

export const PERMISSION_WORDS: Readonly<Record<Permission, string>> = {
  'dashboard.view': 'See the dashboard',
  'policy.view': 'Read the acceptable use table',
  'policy.edit': 'Change networks, policies and schedules',
  'lists.manage': 'Add, update and remove block lists',
  'devices.view': 'See devices',
  'devices.manage': 'Name, group, suspend and cap devices',
  'logs.view': 'Read the DNS query log (troubleshooting)',
  'monitoring.view': 'See alerts and named devices',
  'monitoring.review': 'Acknowledge alerts, sign off the weekly review, send the governor report',
  'incidents.tasks': "See and close the IT provider's tasks from incidents",
  'changes.request': 'Ask for a filtering change',
  'changes.approve': "Approve or decline a filtering change (never one's own)",
  'changes.apply': 'Apply an approved filtering change, or record it as sent to the filtering provider',
  'visitors.sponsor': 'Sponsor a visitor',
  'visitors.manage': "See every visitor's record and withdraw access",
  'vouchers.issue': 'Issue visitor vouchers',
  'accounts.manage': 'Make, disable and reset accounts',
  'system.manage': 'Change settings, resolvers and certificates',
  'health.view': "See the gateway's health",
  'audit.view': 'Read the audit log',
  'reports.anonymised': 'Read anonymised reports',
  'classes.view': "Watch their own classes' lookups during a lesson (every class with alerts and named devices)",
  'classes.unlock': 'Open a category the head allows for their own class, for a lesson',
};
