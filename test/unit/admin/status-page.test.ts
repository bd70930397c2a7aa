import { expect, it } from 'vitest';
import { escapeHtml } from '../../../firmware/admin/status-page.ts';

it('escapes every character that could start markup or break an attribute', () => {
  expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  expect(escapeHtml('Year 6 — Mrs O’Neil')).toBe('Year 6 — Mrs O’Neil');
});
