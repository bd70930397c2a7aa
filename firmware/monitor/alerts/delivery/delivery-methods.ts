// The control method behind `schoolgate alerts test`: how an IT provider checks the set-up. It
// sends a TEST alert through the same sender real alerts use, to every configured channel, and
// answers with each outcome and the configuration's warnings. Audited: it e-mails people.
import { Type, type Static } from 'typebox';
import type { AlertContact } from '../../../config/alerts-schema.ts';
import type { Config } from '../../../config/schema.ts';
import type { AuditLog } from '../../../control/audit.ts';
import { actorOf } from '../../../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../../../control/server.ts';
import type { AlertDelivery, DeliveryOutcome } from '../alert-schema.ts';
import { alertsConfigWarnings } from './config-check.ts';
import { testAlert } from './test-alert.ts';

export const TestDeliveryParams = Type.Object({
  contact: Type.Optional(Type.String({ minLength: 1, maxLength: 120, description: 'only this contact (by name) is e-mailed; the webhook is still called' })),
}, { additionalProperties: false });
export type TestDeliveryParams = Static<typeof TestDeliveryParams>;

export const DeliveryOutcomeView = Type.Object({
  channel: Type.Union([Type.Literal('email'), Type.Literal('webhook')]),
  to: Type.String({ description: "the contact's name (e-mail), the URL's host (webhook)" }),
  ok: Type.Boolean(),
  error: Type.Optional(Type.String()),
});

export const TestDeliveryView = Type.Object({
  configured: Type.Object({ email: Type.Boolean(), webhook: Type.Boolean() }),
  warnings: Type.Array(Type.String(), { description: 'set-ups that work but may not do what the school expects' }),
  outcomes: Type.Array(DeliveryOutcomeView, { description: 'one per e-mail sent and one for the webhook' }),
});
export type TestDeliveryView = Static<typeof TestDeliveryView>;

// The view's outcome is the delivery contract's, field for field: this stops compiling if they part.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<Static<typeof DeliveryOutcomeView>, DeliveryOutcome>;

export function registerDeliveryMethods(control: Pick<ControlServer, 'register'>, deps: {
  config: { readonly current: Readonly<Config> };
  delivery: AlertDelivery;
  audit: Pick<AuditLog, 'append'>;
  now: () => Date;
}): void {
  control.register<TestDeliveryParams>('alerts.test-delivery', {
    params: TestDeliveryParams,
    handle: async (params, caller): Promise<TestDeliveryView> => {
      const alerts = deps.config.current.alerts;
      const contacts: readonly AlertContact[] = alerts?.contacts ?? [];
      let recipients = contacts.filter((c) => c.email !== undefined);
      if (params.contact !== undefined) {
        const named = contacts.find((c) => c.name === params.contact);
        if (named === undefined) {
          throw new ControlFailure('unknown-contact', `there is no contact "${params.contact}" (contacts: ${contacts.map((c) => c.name).join(', ') || 'none'})`);
        }
        if (named.email === undefined) throw new ControlFailure('invalid-input', `contact "${named.name}" has no e-mail address`);
        recipients = [named];
      }
      const configured = { email: alerts?.email !== undefined, webhook: alerts?.webhook !== undefined };
      const warnings = alertsConfigWarnings(alerts).map((w) => `${w.path}: ${w.message}`);
      const outcomes = await deps.delivery.deliver(testAlert(deps.now()), recipients, 'test');
      deps.audit.append({
        actor: actorOf(caller), action: 'alerts.test-delivery',
        details: { outcomes: outcomes.map((o) => ({ channel: o.channel, to: o.to, ok: o.ok })) },
      });
      return { configured, warnings, outcomes };
    },
  });
}
