// Small helpers the browser tests share: calling the server's RPC directly (to set up a book
// quickly), reading the error shown next to a form control, and creating an account through the
// UI as a user does.

/** `POST /rpc/<operation>` on the test server; resolves with the output or throws the error body. */
export async function rpc(baseUrl, operation, input = {}) {
  const response = await fetch(new URL(`rpc/${operation}`, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(`${operation}: ${body.message}`), { body });
  return body;
}

/**
 * The error shown for a control: whether it is marked invalid, the text of its description,
 * and whether that text sits in the same field box as the control (i.e. next to it).
 */
/** The service a new book starts with (its "API", as a new 3scale tenant has), renamed to
 *  `name`, as a provider sets up the book they were given. */
export async function renameOwnService(baseUrl, name) {
  const services = await rpc(baseUrl, 'list_services', {});
  return rpc(baseUrl, 'update_service', { id: services.items[0].id, name });
}

export function errorNextTo(control) {
  return control.evaluate((element) => {
    const id = element.getAttribute('aria-describedby');
    const description = id ? document.getElementById(id) : null;
    const box = element.closest('.field');
    return {
      invalid: element.getAttribute('aria-invalid') === 'true',
      message: description?.classList.contains('error') ? description.textContent.trim() : null,
      nextToControl: Boolean(box && description && box.contains(description)),
      visible: Boolean(description && description.getClientRects().length > 0),
    };
  });
}

/** Problems worth failing a test for: uncaught errors and console errors other than HTTP statuses. */
export function realProblems(problems) {
  return problems.filter((problem) => !/Failed to load resource: the server responded with a status of (4\d\d)/.test(problem));
}

/**
 * Fills in and submits the New account dialog (#/accounts/new) for an Italian buyer with VAT
 * (Enter in the last field submits), then opens the new account's page from the confirmation.
 */
export async function createItalianBuyer(page, baseUrl, name = 'Acme Analytics S.r.l.') {
  await page.goto(`${baseUrl}#/accounts/new`);
  const form = page.getByRole('dialog', { name: 'New account' });
  await form.getByLabel('Organisation name').fill(name);
  await form.getByLabel('Legal address Line 1', { exact: true }).fill('Via Roma 1');
  await form.getByLabel('Legal address City', { exact: true }).fill('Milano');
  await form.getByLabel('Legal address Country', { exact: true }).fill('IT');
  await form.getByLabel('VAT code').fill('IT01234567890');
  await form.getByLabel('VAT rate').fill('22');
  await form.getByLabel('VAT rate').press('Enter');
  await form.waitFor({ state: 'detached' });
  await page.getByRole('status').getByRole('link', { name: 'Open its page' }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}
