// Sending a change request from a form: what the page found wrong beside its fields first, then
// the server's refusal beside the fields it names and anything else in the form's notice, the
// first field in error focused. The request form and an incident's "Investigate a device" send
// the same way and differ only in what follows a request made.
import { useState } from 'preact/hooks';
import type { ChangeRequestBody, ChangeRequestPage } from '../../../../firmware/admin/api/changes-schema.ts';
import { useFocusFirstError } from '../../components/form.ts';
import { useApp } from '../../context.ts';
import { errorsOf } from '../admin-format.ts';
import { formErrors } from './words.ts';

export function useSendChange(made: (page: ChangeRequestPage) => void) {
  const { api } = useApp();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failed, setFailed] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const formRef = useFocusFirstError(errors, attempt);
  const send = async (body: ChangeRequestBody, problems: Record<string, string>) => {
    setFailed(null);
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      setAttempt((a) => a + 1);
      return;
    }
    setBusy(true);
    try {
      made(await api.post<ChangeRequestPage>('/api/changes', body));
    } catch (e) {
      const { fields, message } = errorsOf(e);
      setErrors(formErrors(fields));
      setFailed(`Nothing was sent: ${message}`);
      setAttempt((a) => a + 1);
    } finally {
      setBusy(false);
    }
  };
  return { errors, failed, busy, formRef, send };
}
