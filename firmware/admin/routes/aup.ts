// AUP acceptances (devices.view, read-only): which device accepted which version of the school's
// AUP on which network and when, through the control method `schoolgate aup acceptances` uses.
import { AupAcceptancesView } from '../api/aup-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { callControl } from '../control-call.ts';
import type { AdminRoutes } from '../route-deps.ts';

export const aupRoutes: AdminRoutes = async (app, deps) => {
  app.get('/api/aup/acceptances', {
    schema: { response: { 200: AupAcceptancesView, 401: ApiError, 403: ApiError, 503: ApiError } },
    config: { permission: 'devices.view' },
  }, async (request): Promise<AupAcceptancesView> => callControl<AupAcceptancesView>(deps.options.control, request.signed, 'aup.acceptances', {}));
};
