// Small helpers the browser tests share: calling the server's RPC directly (to set up a book
// quickly) and reading the error shown next to a form control.

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
