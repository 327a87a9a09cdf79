// One confirmation dialog for the whole app: `await confirmAction({...})` is true when the
// user confirmed.

export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  /** The button that leaves things as they are; "Cancel" unless that would read as the action. */
  cancelLabel?: string;
  /** Points listed under the message (e.g. why each invoice gets a PDF). */
  details?: string[];
  /** A quieter line after them (e.g. what is left as it is). */
  note?: string | null;
  /** False for an action that destroys nothing: a plain dialog and a primary button instead of
   * an alert and a red one. */
  destructive?: boolean;
}

interface Pending extends ConfirmRequest {
  resolve: (confirmed: boolean) => void;
}

export const confirmation = $state({ pending: null as Pending | null });

export function confirmAction(request: ConfirmRequest): Promise<boolean> {
  confirmation.pending?.resolve(false);
  return new Promise((resolve) => {
    confirmation.pending = { ...request, resolve };
  });
}

export function settle(confirmed: boolean): void {
  const pending = confirmation.pending;
  confirmation.pending = null;
  pending?.resolve(confirmed);
}
