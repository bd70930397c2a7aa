// The webhook's JSON body: the one shape a receiver (a ticket system, a chat bridge, a trust's
// safeguarding platform) is written against. Versioned so a receiver can refuse what it does not
// know. docs/alert-webhook.md describes it and how to check the signature.
import { Type, type Static } from 'typebox';
import { Alert } from '../alert-schema.ts';

export const WebhookPayload = Type.Object({
  type: Type.Union([Type.Literal('schoolgate.alert'), Type.Literal('schoolgate.test')], { description: 'schoolgate.test: a test sent by `schoolgate alerts test`, not a concern' }),
  version: Type.Literal(1),
  deliveryId: Type.String({ description: 'unique per delivery, the same on each retry of it: a receiver that has seen it already drops the repeat' }),
  sentAt: Type.String({ format: 'date-time' }),
  why: Type.Union([Type.Literal('new'), Type.Literal('escalation'), Type.Literal('test')]),
  site: Type.String({ description: "the school's name (site.name)" }),
  title: Type.String({ description: 'the e-mail subject: severity, what, device, network; defanged' }),
  text: Type.String({ description: 'the e-mail body without its greeting, plain text, every name defanged (example[.]com)' }),
  network: Type.String({ description: 'the network by name and id, defanged' }),
  device: Type.String({ description: 'the device by name, else MAC, else address; defanged' }),
  alert: Alert,
}, { additionalProperties: false });
export type WebhookPayload = Static<typeof WebhookPayload>;
