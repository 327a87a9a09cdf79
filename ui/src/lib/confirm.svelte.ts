// One confirmation dialog for the whole app: `await confirmAction({...})` is true when the
// user confirmed.

export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  /** The button that leaves things as they are; "Cancel" unless that would read as the action. */
  cancelLabel?: string;
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
