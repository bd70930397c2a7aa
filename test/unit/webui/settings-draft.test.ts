// The settings form's strings and the API body they become: what the page shows round-trips, a
// secret goes only when typed, optional retention left blank means the default, and text typed
// where a number belongs is sent as typed so the server's message lands beside that field.
import { describe, expect, it } from 'vitest';
import type { SettingsView } from '../../../firmware/admin/api/settings-schema.ts';
import { bodyOf, draftOf } from '../../../webui/src/pages/settings/settings-draft.ts';

const view: SettingsView = {
  site: { name: 'St Mary', timezone: 'Europe/London' },
  sessions: { idleMinutes: 30, absoluteHours: 12 },
  signInsPerMinute: 10,
  alerts: {
    contacts: [{ name: 'Sam', role: 'dsl', email: 'sam@stmary.example' }, { name: 'IT', role: 'it-provider' }],
    email: { host: 'smtp.stmary.example', port: 587, security: 'starttls', username: 'gw', from: 'gw@stmary.example', password: 'set' },
    webhook: { url: 'https://hooks.example.org/x', secret: 'set' },
  },
  retention: { queryEventsDays: 30, rollupsDays: 400, visitorRecordsDays: 30, alertsDays: 400 },
  logo: { present: false },
  editable: true,
};

describe('the settings draft', () => {
  it('sends back what it showed, keeping stored secrets by sending none', () => {
    expect(bodyOf(draftOf(view))).toEqual({
      site: view.site, sessions: view.sessions, signInsPerMinute: 10,
      alerts: {
        contacts: view.alerts.contacts,
        email: { host: 'smtp.stmary.example', port: 587, security: 'starttls', username: 'gw', from: 'gw@stmary.example' },
        webhook: { url: 'https://hooks.example.org/x' },
      },
      retention: view.retention,
    });
  });

  it('sends a typed secret, a removal, and text where a number belongs as typed', () => {
    const d = { ...draftOf(view), password: 'New-Secret', secret: 'k', idleMinutes: ' 45 ', absoluteHours: 'twelve' };
    const body = bodyOf(d);
    expect(body.alerts.email).toMatchObject({ password: 'New-Secret' });
    expect(body.alerts.webhook).toEqual({ url: 'https://hooks.example.org/x', secret: 'k' });
    expect(body.sessions).toEqual({ idleMinutes: 45, absoluteHours: 'twelve' });
    expect(bodyOf({ ...draftOf(view), clearPassword: true }).alerts.email).toMatchObject({ clearPassword: true });
    expect(bodyOf({ ...draftOf(view), email: false, webhook: false }).alerts).toMatchObject({ email: null, webhook: null });
  });
});
